package cluster

import (
	"errors"
	osexec "os/exec"
	"regexp"
	"strings"
	"testing"
	"time"
)

// runCLI runs the rangedb binary with args and returns its combined
// output and exit code.
func runCLI(t *testing.T, bin string, args ...string) (string, int) {
	t.Helper()
	out, err := osexec.Command(bin, args...).CombinedOutput()
	var ee *osexec.ExitError
	switch {
	case err == nil:
		return string(out), 0
	case errors.As(err, &ee):
		return string(out), ee.ExitCode()
	default:
		t.Fatalf("rangedb %s: %v", strings.Join(args, " "), err)
		return "", -1
	}
}

// statusRow is a row of `rangedb node status`: id, address, liveness,
// ranges, leaders, used bytes.
var statusRow = regexp.MustCompile(`(?m)^(\d+)\s+(\S+)\s+(live|dead|decommissioning|decommissioned)\s+(\d+)\s+(\d+)\s+(\d+)$`)

// TestNodeCLIStatusAndDecommission runs three real binaries: `rangedb
// node status --host` prints a row per node, all live, in aligned
// columns; decommissioning an unknown node and asking a host nothing
// listens on fail with a clear message and a non-zero exit code;
// `rangedb node decommission 3` waits until node 3 holds no replica;
// `rangedb node recommission 3` gives it replicas again.
func TestNodeCLIStatusAndDecommission(t *testing.T) {
	ps := startThreeBinaries(t)
	bin, host := ps[0].bin, "--host="+ps[0].listen

	var out string
	waitUntil(t, "three live rows in `node status`", 30*time.Second, func() bool {
		var code int
		out, code = runCLI(t, bin, "node", "status", host)
		return code == 0 && len(statusRow.FindAllString(out, -1)) == 3 && strings.Count(out, " live ") == 3
	})
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 4 || !strings.HasPrefix(lines[0], "id ") || !strings.Contains(lines[0], "used bytes") {
		t.Fatalf("node status printed:\n%s", out)
	}
	// Aligned: every row's address starts where the header's does (node
	// ids follow the order the nodes joined in, not ps's).
	col := strings.Index(lines[0], "address")
	for i, l := range lines[1:] {
		found := false
		for _, p := range ps {
			found = found || len(l) > col && strings.HasPrefix(l[col:], p.listen+" ")
		}
		if !found {
			t.Fatalf("row %d is not aligned under the header:\n%s", i+1, out)
		}
	}

	out, code := runCLI(t, bin, "node", "decommission", "9", host)
	if code == 0 || !strings.Contains(out, "node 9") || !strings.Contains(out, "unknown node") {
		t.Fatalf("decommissioning node 9: exit %d:\n%s", code, out)
	}
	out, code = runCLI(t, bin, "node", "status", "--host="+freeAddr(t), "--timeout=3s")
	if code == 0 || !strings.Contains(out, "cannot reach") && !strings.Contains(out, "no answer") {
		t.Fatalf("status of a host nothing listens on: exit %d:\n%s", code, out)
	}

	out, code = runCLI(t, bin, "node", "decommission", "3", host, "--wait-timeout=60s")
	if code != 0 || !strings.Contains(out, "node 3 marked decommissioning") {
		t.Fatalf("decommissioning node 3: exit %d:\n%s", code, out)
	}
	if m := statusRow.FindStringSubmatch(out); m == nil || m[1] != "3" || m[3] != "decommissioned" || m[4] != "0" {
		t.Fatalf("decommission did not end with node 3 decommissioned:\n%s", out)
	}
	out, code = runCLI(t, bin, "node", "status", host)
	if code != 0 || strings.Count(out, " live ") != 2 || !strings.Contains(out, "decommissioned") {
		t.Fatalf("node status after the decommission: exit %d:\n%s", code, out)
	}

	// Recommissioned, node 3 is active again and the placement driver
	// gives it its replicas back.
	out, code = runCLI(t, bin, "node", "recommission", "3", host)
	if code != 0 || !strings.Contains(out, "node 3 marked active") {
		t.Fatalf("recommissioning node 3: exit %d:\n%s", code, out)
	}
	waitUntil(t, "node 3 live with replicas again", 60*time.Second, func() bool {
		out, code = runCLI(t, bin, "node", "status", host)
		for _, m := range statusRow.FindAllStringSubmatch(out, -1) {
			if m[1] == "3" {
				return code == 0 && m[3] == "live" && m[4] != "0"
			}
		}
		return false
	})
}
