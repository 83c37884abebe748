package manifest

import (
	"fmt"
	"hash/fnv"
	"strconv"
	"strings"
)

const (
	unshardedName = ".thumbs-manifest.json"
	shardPrefix   = ".thumbs-manifest-"
	shardSuffix   = ".json"
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
// to shard s: whether the FNV-1a 64-bit hash of rel, modulo N, is K-1. The
// assignment depends on rel and N only, so it is the same on every machine
// and in every version of thumbs, and every rel belongs to exactly one of the
// N shards. The zero Shard contains every rel; an invalid Shard none.
func (s Shard) Contains(rel string) bool {
	if s == (Shard{}) {
		return true
	}
	if s.validate() != nil {
		return false
	}
	h := fnv.New64a()
	h.Write([]byte(rel))
	return h.Sum64()%uint64(s.N) == uint64(s.K-1)
}

// String returns "K/N", which ParseShard accepts, or "" for the zero Shard.
func (s Shard) String() string {
	if s == (Shard{}) {
		return ""
	}
	return fmt.Sprintf("%d/%d", s.K, s.N)
}

// FileName returns the name of the manifest file for shard s:
// ".thumbs-manifest.json" for the zero Shard and ".thumbs-manifest-K-of-N.json"
// for shard K/N.
func FileName(s Shard) string {
	if s == (Shard{}) {
		return unshardedName
	}
	return fmt.Sprintf("%s%d-of-%d%s", shardPrefix, s.K, s.N, shardSuffix)
}

// parseFileName returns the shard whose manifest file is called name, and
// whether name is such a file. Only names FileName makes are accepted.
func parseFileName(name string) (Shard, bool) {
	if name == unshardedName {
		return Shard{}, true
	}
	rest, ok := strings.CutPrefix(name, shardPrefix)
	if !ok {
		return Shard{}, false
	}
	rest, ok = strings.CutSuffix(rest, shardSuffix)
	if !ok {
		return Shard{}, false
	}
	ks, ns, ok := strings.Cut(rest, "-of-")
	if !ok {
		return Shard{}, false
	}
	s, err := ParseShard(ks + "/" + ns)
	if err != nil || FileName(s) != name {
		return Shard{}, false
	}
	return s, true
}

// IsManifestName reports whether a file name (without directory) is that of
// a manifest file of any shard, so that directory walks and prune can skip it.
func IsManifestName(name string) bool {
	_, ok := parseFileName(name)
	return ok
}
