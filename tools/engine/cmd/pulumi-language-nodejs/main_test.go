package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
)

func TestParseArgsSkipsEngineFlags(t *testing.T) {
	got := parseArgs([]string{"--logtostderr", "-v=9", "--tracing", "http://x", "127.0.0.1:1234"})
	if got != "127.0.0.1:1234" {
		t.Fatalf("engine address = %q", got)
	}
}

func TestConfigJSONUsesNamespaceConfigName(t *testing.T) {
	got, err := configJSON(map[string]string{"proj:owner": "a", "azuread:tenantId": "t"})
	if err != nil {
		t.Fatal(err)
	}
	want := `{"azuread:config:tenantId":"t","proj:config:owner":"a"}`
	if got != want {
		t.Fatalf("got %s, want %s", got, want)
	}
}

func TestRunArgs(t *testing.T) {
	req := &pulumirpc.RunRequest{
		MonitorAddress: "127.0.0.1:1", Project: "p", Stack: "dev", DryRun: true, Parallel: 4,
		Info: &pulumirpc.ProgramInfo{RootDirectory: "/r", ProgramDirectory: "/r", EntryPoint: "."},
	}
	got := runArgs(req, "/run", "127.0.0.1:2")
	want := []string{
		"/run", "--monitor", "127.0.0.1:1", "--engine", "127.0.0.1:2", "--project", "p",
		"--root-directory", "/r", "--stack", "dev", "--pwd", "/r", "--dry-run", "--parallel", "4", ".",
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("got %q\nwant %q", got, want)
	}
}

func TestFindPackages(t *testing.T) {
	dir := t.TempDir()
	write := func(rel, body string) {
		p := filepath.Join(dir, rel)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("package.json", `{"name":"prog","pulumi":{"resource":true}}`) // not under node_modules
	write("node_modules/@pulumi/azuread/package.json",
		`{"name":"@pulumi/azuread","version":"6.9.1","pulumi":{"resource":true}}`)
	write("node_modules/@pulumi/pulumi/package.json", `{"name":"@pulumi/pulumi","version":"3.276.0"}`)
	write("policy/PulumiPolicy.yaml", "runtime: nodejs\n")
	write("policy/node_modules/@pulumi/aws/package.json",
		`{"name":"@pulumi/aws","version":"7.0.0","pulumi":{"resource":true}}`)

	got := findPackages(dir)
	if len(got) != 1 || got[0].Name != "azuread" || got[0].Version != "v6.9.1" || got[0].Kind != "resource" {
		t.Fatalf("got %v", got)
	}
}

// A program folder's name is data, never code (issue 17, Why 9): the host once pasted it into the
// JavaScript it runs with node -e, so a folder named like the ones below ran code of its choosing.
func TestResolveModuleTakesTheFolderAsDataNotCode(t *testing.T) {
	nodeBin, err := exec.LookPath("node")
	if err != nil {
		t.Skip("node is not on PATH")
	}
	for _, name := range []string{
		`x' + require('fs').writeFileSync('PWNED', '') + '`,
		`x"); require("fs").writeFileSync("PWNED", ""); ("`,
		"x`${require('fs').writeFileSync('PWNED', '')}`",
		`back\slash\' + require('fs').writeFileSync('PWNED', '') + '`,
		"line\nbreak') ; require('fs').writeFileSync('PWNED', ''); ('",
		"-e",
	} {
		root := t.TempDir()
		dir := filepath.Join(root, name)
		module := filepath.Join(dir, "node_modules", "probe")
		if err := os.MkdirAll(module, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(module, "index.js"), nil, 0o644); err != nil {
			t.Fatal(err)
		}

		got, err := resolveModule(nodeBin, dir, "probe")
		if err != nil {
			t.Fatalf("%q: %v", name, err)
		}
		if want := filepath.Join(module, "index.js"); got != want {
			t.Fatalf("%q: resolved %q, want %q", name, got, want)
		}
		_, err = resolveModule(nodeBin, dir, "not-installed")
		if err == nil || !strings.Contains(err.Error(), "has not been installed in "+dir+" (cannot resolve not-installed)") {
			t.Fatalf("%q: missing module error = %v", name, err)
		}
		for _, where := range []string{root, dir} {
			if _, err := os.Stat(filepath.Join(where, "PWNED")); err == nil {
				t.Fatalf("%q: the folder name ran as code", name)
			}
		}
	}
}
