package manifest

import (
	"fmt"
	"hash/fnv"
	"math/bits"
	"strconv"
	"strings"
)

// Shard is one part of a split of the sources into N parts: K from 1 to N.
// The zero Shard means unsharded: it contains every source.
type Shard struct{ K, N int }

// ParseShard parses "K/N" with 1 ≤ K ≤ N, written in decimal digits. Its
// errors quote the input and say what is wrong, as in
// `--shard "0/3": K must be between 1 and N`. The empty string is an error,
// not the zero Shard.
func ParseShard(s string) (Shard, error) {
	ks, ns, ok := strings.Cut(s, "/")
	k, kerr := parseCount(ks)
	n, nerr := parseCount(ns)
	if !ok || kerr != nil || nerr != nil {
		return Shard{}, fmt.Errorf("--shard %q: want K/N, two whole numbers such as 2/4", s)
	}
	if n < 1 {
		return Shard{}, fmt.Errorf("--shard %q: N must be at least 1", s)
	}
	if k < 1 || k > n {
		return Shard{}, fmt.Errorf("--shard %q: K must be between 1 and N", s)
	}
	return Shard{K: k, N: n}, nil
}

// parseCount parses a non-negative decimal number without sign or spaces.
func parseCount(s string) (int, error) {
	if s == "" || strings.Trim(s, "0123456789") != "" {
		return 0, fmt.Errorf("not a number: %q", s)
	}
	return strconv.Atoi(s)
}

// validate reports whether s is the zero Shard or has 1 ≤ K ≤ N.
func (s Shard) validate() error {
	if s == (Shard{}) || (1 <= s.K && s.K <= s.N) {
		return nil
	}
	return fmt.Errorf("manifest: invalid shard %d/%d: K must be between 1 and N", s.K, s.N)
}

// Contains reports whether the source with output-relative path rel belongs
// to shard s: whether the FNV-1a 64-bit hash of rel, scaled to 0..N-1 by its
// high bits (hash×N / 2⁶⁴), is K-1. The high bits of FNV-1a are well mixed;
// its low bits are not (modulo 2, the hash is the parity of the bytes'
// low bits), so scaling splits evenly where a modulo does not. The
// assignment depends on rel and N only, so it is the same on every
// machine, and every rel belongs to exactly one of the N shards. The zero
// Shard contains every rel; an invalid Shard none.
func (s Shard) Contains(rel string) bool {
	if s == (Shard{}) {
		return true
	}
	if s.validate() != nil {
		return false
	}
	h := fnv.New64a()
	h.Write([]byte(rel))
	part, _ := bits.Mul64(h.Sum64(), uint64(s.N))
	return part == uint64(s.K-1)
}

// String returns "K/N", which ParseShard accepts, or "" for the zero Shard.
func (s Shard) String() string {
	if s == (Shard{}) {
		return ""
	}
	return fmt.Sprintf("%d/%d", s.K, s.N)
}

// kind is a kind of file the record keeps in the output directory, one
// per shard: its names are prefix + "" + suffix unsharded and
// prefix + "-K-of-N" + suffix for shard K/N.
type kind struct{ prefix, suffix string }

var (
	storeFile  = kind{".thumbs-record", ".db"}     // the record's store
	holderFile = kind{".thumbs-record", ".holder"} // who holds the store, for the waiting message
	legacyFile = kind{".thumbs-manifest", ".json"} // the JSON manifest of thumbs before the store
	allKinds   = []kind{storeFile, holderFile, legacyFile}
)

// name returns the file name of kind k for shard s.
func (k kind) name(s Shard) string {
	if s == (Shard{}) {
		return k.prefix + k.suffix
	}
	return fmt.Sprintf("%s-%d-of-%d%s", k.prefix, s.K, s.N, k.suffix)
}

// parse returns the shard whose file of kind k is called name, and whether
// name is such a file. Only names that name makes are accepted.
func (k kind) parse(name string) (Shard, bool) {
	rest, ok := strings.CutPrefix(name, k.prefix)
	if !ok {
		return Shard{}, false
	}
	rest, ok = strings.CutSuffix(rest, k.suffix)
	if !ok {
		return Shard{}, false
	}
	if rest == "" {
		return Shard{}, true
	}
	ks, ns, ok := strings.Cut(strings.TrimPrefix(rest, "-"), "-of-")
	if !ok {
		return Shard{}, false
	}
	s, err := ParseShard(ks + "/" + ns)
	if err != nil || k.name(s) != name {
		return Shard{}, false
	}
	return s, true
}

// FileName returns the name of the record's store file for shard s:
// ".thumbs-record.db" for the zero Shard and ".thumbs-record-K-of-N.db"
// for shard K/N.
func FileName(s Shard) string { return storeFile.name(s) }

// IsRecordName reports whether a file name (without directory) is that of
// a file the record keeps, of any shard: a store, its holder note, or a
// JSON manifest of an older thumbs.
func IsRecordName(name string) bool {
	for _, k := range allKinds {
		if _, ok := k.parse(name); ok {
			return true
		}
	}
	return false
}
