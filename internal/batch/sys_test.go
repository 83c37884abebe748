package batch

import (
	"testing"
	"testing/fstest"
)

func TestReadMemoryLimits(t *testing.T) {
	const gib = 1 << 30
	meminfo := &fstest.MapFile{Data: []byte("MemTotal:       16777216 kB\nMemFree:         1000 kB\n")}
	file := func(s string) *fstest.MapFile { return &fstest.MapFile{Data: []byte(s)} }
	tests := []struct {
		name       string
		files      fstest.MapFS
		want       memoryLimits
		wantBudget int64
	}{
		{
			name: "v2 limit",
			files: fstest.MapFS{
				"proc/meminfo":     meminfo,
				"proc/self/cgroup": file("0::/user.slice/thumbs.scope\n"),
				"sys/fs/cgroup/user.slice/thumbs.scope/memory.max": file("1073741824\n"),
			},
			want:       memoryLimits{memTotal: 16 * gib, cgroup: gib},
			wantBudget: gib / 2,
		},
		{
			name: "v2 max",
			files: fstest.MapFS{
				"proc/meminfo":                        meminfo,
				"proc/self/cgroup":                    file("0::/user.slice\n"),
				"sys/fs/cgroup/user.slice/memory.max": file("max\n"),
			},
			want:       memoryLimits{memTotal: 16 * gib},
			wantBudget: 8 * gib,
		},
		{
			name: "v2 parent smaller than child",
			files: fstest.MapFS{
				"proc/meminfo":                 meminfo,
				"proc/self/cgroup":             file("0::/a/b\n"),
				"sys/fs/cgroup/a/b/memory.max": file("4294967296\n"),
				"sys/fs/cgroup/a/memory.max":   file("2147483648\n"),
			},
			want:       memoryLimits{memTotal: 16 * gib, cgroup: 2 * gib},
			wantBudget: gib,
		},
		{
			name: "v2 container namespace root",
			files: fstest.MapFS{
				"proc/meminfo":             meminfo,
				"proc/self/cgroup":         file("0::/docker/0123abcd\n"),
				"sys/fs/cgroup/memory.max": file("536870912\n"),
			},
			want:       memoryLimits{memTotal: 16 * gib, cgroup: gib / 2},
			wantBudget: gib / 4,
		},
		{
			name: "v1 limit with unlimited root",
			files: fstest.MapFS{
				"proc/meminfo":     meminfo,
				"proc/self/cgroup": file("9:name=systemd:/\n4:memory:/process_api/16de\n0::/\n"),
				"sys/fs/cgroup/memory/memory.limit_in_bytes":                  file("9223372036854771712\n"),
				"sys/fs/cgroup/memory/process_api/16de/memory.limit_in_bytes": file("1073741824\n"),
			},
			want:       memoryLimits{memTotal: 16 * gib, cgroup: gib},
			wantBudget: gib / 2,
		},
		{
			name: "v1 unlimited",
			files: fstest.MapFS{
				"proc/meminfo":     meminfo,
				"proc/self/cgroup": file("4:memory:/process_api/16de\n"),
				"sys/fs/cgroup/memory/memory.limit_in_bytes":                  file("9223372036854771712\n"),
				"sys/fs/cgroup/memory/process_api/16de/memory.limit_in_bytes": file("9223372036854771712\n"),
			},
			want:       memoryLimits{memTotal: 16 * gib},
			wantBudget: 8 * gib,
		},
		{
			name: "v1 memory among other controllers",
			files: fstest.MapFS{
				"proc/meminfo":     meminfo,
				"proc/self/cgroup": file("3:cpuacct,memory:/job\n"),
				"sys/fs/cgroup/memory/job/memory.limit_in_bytes": file("3221225472"),
			},
			want:       memoryLimits{memTotal: 16 * gib, cgroup: 3 * gib},
			wantBudget: 3 * gib / 2,
		},
		{
			name: "cgroup above MemTotal",
			files: fstest.MapFS{
				"proc/meminfo":             meminfo,
				"proc/self/cgroup":         file("0::/\n"),
				"sys/fs/cgroup/memory.max": file("68719476736\n"),
			},
			want:       memoryLimits{memTotal: 16 * gib, cgroup: 64 * gib},
			wantBudget: 8 * gib,
		},
		{
			name: "malformed limit",
			files: fstest.MapFS{
				"proc/meminfo":             meminfo,
				"proc/self/cgroup":         file("0::/\n"),
				"sys/fs/cgroup/memory.max": file("lots\n"),
			},
			want:       memoryLimits{memTotal: 16 * gib},
			wantBudget: 8 * gib,
		},
		{
			name: "no cgroup files",
			files: fstest.MapFS{
				"proc/meminfo":     meminfo,
				"proc/self/cgroup": file("0::/a\n"),
			},
			want:       memoryLimits{memTotal: 16 * gib},
			wantBudget: 8 * gib,
		},
		{
			name: "no meminfo",
			files: fstest.MapFS{
				"proc/self/cgroup":         file("0::/\n"),
				"sys/fs/cgroup/memory.max": file("1073741824\n"),
			},
			want:       memoryLimits{cgroup: gib},
			wantBudget: gib / 2,
		},
		{
			name:       "nothing",
			files:      fstest.MapFS{},
			want:       memoryLimits{},
			wantBudget: 2 * gib,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := readMemoryLimits(tt.files)
			if got != tt.want {
				t.Errorf("limits %+v, want %+v", got, tt.want)
			}
			if b := got.budget(); b != tt.wantBudget {
				t.Errorf("budget %d, want %d", b, tt.wantBudget)
			}
		})
	}
}

func TestMemoryBudgetOfLimits(t *testing.T) {
	tests := []struct {
		limits memoryLimits
		want   int64
	}{
		{memoryLimits{memTotal: 16 << 30, cgroup: 4 << 30, runtime: 1 << 30}, 512 << 20},
		{memoryLimits{memTotal: 16 << 30, runtime: 32 << 30}, 8 << 30},
		{memoryLimits{runtime: 1 << 30}, 512 << 20},
		{memoryLimits{}, 2 << 30},
	}
	for _, tt := range tests {
		if got := tt.limits.budget(); got != tt.want {
			t.Errorf("%+v: budget %d, want %d", tt.limits, got, tt.want)
		}
	}
}

func TestRuntimeMemoryLimit(t *testing.T) {
	if got, want := runtimeMemoryLimit(1<<30), int64(912680550); got < want-20 || got > want {
		t.Errorf("runtimeMemoryLimit(1 GiB) = %d, want 85%% of it, %d", got, want)
	}
}
