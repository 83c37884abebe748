package manifest

import (
	"fmt"
	"math/bits"
	"strings"
	"testing"
)

func TestParseShard(t *testing.T) {
	tests := []struct {
		in      string
		want    Shard
		wantErr string // substring of the error; "" means success
	}{
		{"1/1", Shard{1, 1}, ""},
		{"1/4", Shard{1, 4}, ""},
		{"4/4", Shard{4, 4}, ""},
		{"3/7", Shard{3, 7}, ""},
		{"12/100", Shard{12, 100}, ""},
		{"0/3", Shard{}, `--shard "0/3": K must be between 1 and N`},
		{"4/3", Shard{}, `--shard "4/3": K must be between 1 and N`},
		{"1/0", Shard{}, `--shard "1/0": N must be at least 1`},
		{"0/0", Shard{}, `--shard "0/0": N must be at least 1`},
		{"", Shard{}, `--shard "": want K/N`},
		{"3", Shard{}, `--shard "3": want K/N`},
		{"1/", Shard{}, `--shard "1/": want K/N`},
		{"/4", Shard{}, `--shard "/4": want K/N`},
		{"a/4", Shard{}, `--shard "a/4": want K/N`},
		{"-1/4", Shard{}, `want K/N`},
		{"+1/4", Shard{}, `want K/N`},
		{" 1/4", Shard{}, `want K/N`},
		{"1/4/5", Shard{}, `want K/N`},
		{"1.0/4", Shard{}, `want K/N`},
		{"1/99999999999999999999999", Shard{}, `want K/N`},
	}
	for _, tt := range tests {
		got, err := ParseShard(tt.in)
		if tt.wantErr == "" {
			if err != nil || got != tt.want {
				t.Errorf("ParseShard(%q) = %v, %v; want %v, nil", tt.in, got, err, tt.want)
			}
			if s := got.String(); s != tt.in {
				t.Errorf("ParseShard(%q).String() = %q", tt.in, s)
			}
			continue
		}
		if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
			t.Errorf("ParseShard(%q) = %v, %v; want error containing %q", tt.in, got, err, tt.wantErr)
		}
	}
}

func TestShardString(t *testing.T) {
	if s := (Shard{}).String(); s != "" {
		t.Errorf("zero Shard String() = %q, want empty", s)
	}
	if s := (Shard{2, 4}).String(); s != "2/4" {
		t.Errorf("Shard{2,4}.String() = %q, want 2/4", s)
	}
}

// genRels returns n distinct output-relative paths shaped like real ones.
func genRels(n int) []string {
	rels := make([]string, n)
	for i := range rels {
		rels[i] = fmt.Sprintf("trips/%d/day-%02d/IMG_%05d.jpg", 2000+i%25, i%31, i)
	}
	return rels
}

func TestContainsPartition(t *testing.T) {
	rels := genRels(10000)
	for n := 1; n <= 7; n++ {
		counts := make([]int, n)
		for _, rel := range rels {
			owners := 0
			for k := 1; k <= n; k++ {
				if (Shard{k, n}).Contains(rel) {
					owners++
					counts[k-1]++
				}
			}
			if owners != 1 {
				t.Fatalf("N=%d: %q belongs to %d shards, want exactly 1", n, rel, owners)
			}
		}
		want := float64(len(rels)) / float64(n)
		for k, c := range counts {
			if float64(c) < 0.8*want || float64(c) > 1.2*want {
				t.Errorf("shard %d/%d has %d of %d rels, want within 20%% of %.0f", k+1, n, c, len(rels), want)
			}
		}
	}
}

// TestContainsIsFNV1a pins the assignment to FNV-1a 64 of rel scaled to N
// by its high bits, computed here independently: a change would move
// sources between shards of existing output directories.
func TestContainsIsFNV1a(t *testing.T) {
	fnv1a := func(s string) uint64 {
		h := uint64(14695981039346656037)
		for i := 0; i < len(s); i++ {
			h ^= uint64(s[i])
			h *= 1099511628211
		}
		return h
	}
	for _, rel := range append(genRels(200), "", "a.jpg", "ü/ñ.png") {
		for n := 1; n <= 5; n++ {
			hi, _ := bits.Mul64(fnv1a(rel), uint64(n))
			k := int(hi) + 1
			if !(Shard{k, n}).Contains(rel) {
				t.Errorf("Shard{%d,%d}.Contains(%q) = false, want true", k, n, rel)
			}
		}
	}
}

func TestContainsZeroAndInvalid(t *testing.T) {
	for _, rel := range []string{"a.jpg", "x/y/z.png", ""} {
		if !(Shard{}).Contains(rel) {
			t.Errorf("zero Shard does not contain %q", rel)
		}
		for _, s := range []Shard{{0, 3}, {4, 3}, {1, 0}, {-1, -1}} {
			if s.Contains(rel) {
				t.Errorf("invalid %#v contains %q", s, rel)
			}
		}
	}
}

func TestFileNames(t *testing.T) {
	tests := []struct {
		s                     Shard
		store, holder, legacy string
	}{
		{Shard{}, ".thumbs-record.db", ".thumbs-record.holder", ".thumbs-manifest.json"},
		{Shard{1, 1}, ".thumbs-record-1-of-1.db", ".thumbs-record-1-of-1.holder", ".thumbs-manifest-1-of-1.json"},
		{Shard{3, 4}, ".thumbs-record-3-of-4.db", ".thumbs-record-3-of-4.holder", ".thumbs-manifest-3-of-4.json"},
		{Shard{10, 12}, ".thumbs-record-10-of-12.db", ".thumbs-record-10-of-12.holder", ".thumbs-manifest-10-of-12.json"},
	}
	for _, tt := range tests {
		if got := FileName(tt.s); got != tt.store {
			t.Errorf("FileName(%v) = %q, want %q", tt.s, got, tt.store)
		}
		for k, name := range map[kind]string{storeFile: tt.store, holderFile: tt.holder, legacyFile: tt.legacy} {
			if got := k.name(tt.s); got != name {
				t.Errorf("%v.name(%v) = %q, want %q", k, tt.s, got, name)
			}
			if s, ok := k.parse(name); !ok || s != tt.s {
				t.Errorf("%v.parse(%q) = %v, %v; want %v, true", k, name, s, ok, tt.s)
			}
			if !IsRecordName(name) {
				t.Errorf("IsRecordName(%q) = false", name)
			}
		}
	}

	for _, name := range []string{
		"thumbs-record.db",
		".thumbs-record.db.bak",
		".thumbs-record-0-of-4.db",
		".thumbs-record-5-of-4.db",
		".thumbs-record-01-of-4.db",
		".thumbs-record-1-4.db",
		".thumbs-record-a-of-4.db",
		".thumbs-record--1-of-4.db",
		".thumbs-manifest-1-of-4.db",
		"a-256.webp",
		".tmp",
	} {
		if IsRecordName(name) {
			t.Errorf("IsRecordName(%q) = true, want false", name)
		}
	}
}

// TestShardsAreBalanced: sources named alike split evenly, whatever N; a
// hash taken modulo N split such names by the parity of their bytes.
func TestShardsAreBalanced(t *testing.T) {
	var names []string
	for i := range 2000 {
		names = append(names, fmt.Sprintf("photos/2024/IMG_%04d.jpg", i))
	}
	for _, sample := range []string{"autumn.jpg", "beach.png", "city.jpg", "desert.webp", "forest.jpg", "harbour.jpg", "lake.png", "mountain.jpg", "snow.jpg", "sunset.jpg"} {
		names = append(names, sample)
	}
	for _, n := range []int{2, 3, 4, 7, 16} {
		counts := make([]int, n)
		for _, name := range names {
			for k := 1; k <= n; k++ {
				if (Shard{k, n}).Contains(name) {
					counts[k-1]++
				}
			}
		}
		want := float64(len(names)) / float64(n)
		for k, c := range counts {
			if float64(c) < 0.85*want || float64(c) > 1.15*want {
				t.Errorf("shard %d/%d holds %d of %d sources, want within 15%% of %.0f", k+1, n, c, len(names), want)
			}
		}
	}
}
