package main

import (
	"os"
	"path/filepath"
	"reflect"
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
