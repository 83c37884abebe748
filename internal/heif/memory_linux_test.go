package heif

import "testing"

func TestMappedMemory(t *testing.T) {
	m := newMappedMemory(0, 1<<20).(*mappedMemory)
	defer m.Free()
	if m.mapped == nil {
		t.Fatal("no mapping")
	}
	b := m.Reallocate(100)
	if len(b) != 100 {
		t.Fatalf("len %d, want 100", len(b))
	}
	b[99] = 7
	b = m.Reallocate(300 << 10)
	if len(b) != 300<<10 || b[99] != 7 || b[len(b)-1] != 0 {
		t.Fatalf("grown to %d bytes: contents not kept or not zero", len(b))
	}
	b[len(b)-1] = 9 // committed: no fault
	if b := m.Reallocate(1<<20 + 1); b != nil {
		t.Errorf("Reallocate past the maximum gave %d bytes, want nil", len(b))
	}
}
