// Command pulumi-language-nodejs is this project's own, minimal Node.js language host for the
// Pulumi engine (see ../../README.md for why we do not use the upstream one).
//
// It serves pulumirpc.LanguageRuntime on 127.0.0.1, prints the port on stdout, and runs programs
// with the Node side that ships in the program's own @pulumi/pulumi package:
//   - Run:       node @pulumi/pulumi/cmd/run --monitor ... <entry point>
//   - RunPlugin: node @pulumi/pulumi/cmd/run-policy-pack <engine> <pack dir>   (policy packs)
//     or         node @pulumi/pulumi/cmd/run-plugin <plugin dir> <args>      (other plugins)
package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/protobuf/types/known/emptypb"

	sdk "github.com/pulumi/pulumi/sdk/v3"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource/config"
	"github.com/pulumi/pulumi/sdk/v3/go/common/util/rpcutil"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
)

// exitAlreadyReported is the exit code @pulumi/pulumi's run script uses after it has shown the
// user an error through the engine: the engine must not print another one.
const exitAlreadyReported = 32

func main() {
	if len(os.Args) == 2 && (os.Args[1] == "-version" || os.Args[1] == "--version") {
		fmt.Println(sdk.Version.String())
		return
	}
	h := &host{engineAddress: parseArgs(os.Args[1:])}
	handle, err := rpcutil.ServeWithOptions(rpcutil.ServeOptions{
		Init: func(s *grpc.Server) error {
			pulumirpc.RegisterLanguageRuntimeServer(s, h)
			return nil
		},
	})
	if err != nil {
		fmt.Fprintf(os.Stderr, "pulumi-language-nodejs: %v\n", err)
		os.Exit(1)
	}
	fmt.Printf("%d\n", handle.Port)
	if err := <-handle.Done; err != nil {
		fmt.Fprintf(os.Stderr, "pulumi-language-nodejs: %v\n", err)
		os.Exit(1)
	}
}

// parseArgs returns the engine address: the first positional argument. The engine may put
// --logtostderr, -v=N, --logflow, --tracing <url> or -runtime <name> before it; they are ignored.
func parseArgs(args []string) string {
	for i := 0; i < len(args); i++ {
		a := args[i]
		if !strings.HasPrefix(a, "-") {
			return a
		}
		name := strings.TrimLeft(a, "-")
		if (name == "tracing" || name == "runtime" || name == "root") && i+1 < len(args) {
			i++
		}
	}
	return ""
}

type host struct {
	pulumirpc.UnimplementedLanguageRuntimeServer

	mu            sync.Mutex
	engineAddress string
}

func (h *host) engine() string {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.engineAddress
}

func (h *host) Handshake(
	_ context.Context, req *pulumirpc.LanguageHandshakeRequest,
) (*pulumirpc.LanguageHandshakeResponse, error) {
	if req.GetEngineAddress() != "" {
		h.mu.Lock()
		h.engineAddress = req.GetEngineAddress()
		h.mu.Unlock()
	}
	return &pulumirpc.LanguageHandshakeResponse{}, nil
}

func (h *host) GetPluginInfo(context.Context, *emptypb.Empty) (*pulumirpc.PluginInfo, error) {
	return &pulumirpc.PluginInfo{Version: sdk.Version.String()}, nil
}

// options are the runtime options of Pulumi.yaml (runtime.options) that matter when running.
type options struct {
	typescript bool
	tsconfig   string
	nodeargs   []string
}

func parseOptions(info *pulumirpc.ProgramInfo) (options, error) {
	o := options{typescript: true}
	m := info.GetOptions().AsMap()
	if v, ok := m["typescript"]; ok {
		b, ok := v.(bool)
		if !ok {
			return o, errors.New("typescript option must be a boolean")
		}
		o.typescript = b
	}
	if v, ok := m["tsconfig"]; ok {
		s, ok := v.(string)
		if !ok {
			return o, errors.New("tsconfig option must be a string")
		}
		o.tsconfig = s
	}
	if v, ok := m["nodeargs"]; ok {
		s, ok := v.(string)
		if !ok {
			return o, errors.New("nodeargs option must be a string")
		}
		o.nodeargs = strings.Fields(s)
	}
	return o, nil
}

func (o options) env() []string {
	var env []string
	if o.typescript {
		env = append(env, "PULUMI_NODEJS_TYPESCRIPT=true")
	}
	if o.tsconfig != "" {
		env = append(env, "PULUMI_NODEJS_TSCONFIG_PATH="+o.tsconfig)
	}
	return env
}

// resolveModuleScript is fixed JavaScript: the module and the program folder reach it as arguments
// (after "--", so node takes neither for an option of its own), never pasted into its text, so a
// folder whose name holds a quote, a backslash or a line break cannot change what node runs.
const resolveModuleScript = `const [module, dir] = process.argv.slice(1);
try { console.log(require.resolve(module)) } catch (e) {
  console.error(e.code === 'MODULE_NOT_FOUND'
    ? 'It looks like the Pulumi SDK has not been installed in ' + dir + ' (cannot resolve ' + module + '). Have you run npm install?'
    : e.message);
  process.exit(1);
}`

// resolveModule asks node where module resolves from dir, so the program's own @pulumi/pulumi runs.
func resolveModule(nodeBin, dir, module string) (string, error) {
	cmd := exec.Command(nodeBin, "-e", resolveModuleScript, "--", module, dir)
	cmd.Dir = dir
	out, err := cmd.Output()
	if err != nil {
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			return "", errors.New(strings.TrimSpace(string(ee.Stderr)))
		}
		return "", err
	}
	return strings.TrimSpace(string(out)), nil
}

func (h *host) Run(ctx context.Context, req *pulumirpc.RunRequest) (*pulumirpc.RunResponse, error) {
	info := req.GetInfo()
	if info == nil {
		return nil, errors.New("run request has no program info")
	}
	nodeBin, err := exec.LookPath("node")
	if err != nil {
		return &pulumirpc.RunResponse{Error: "could not find node on the $PATH: " + err.Error()}, nil
	}
	opts, err := parseOptions(info)
	if err != nil {
		return &pulumirpc.RunResponse{Error: err.Error()}, nil
	}
	runPath := os.Getenv("PULUMI_LANGUAGE_NODEJS_RUN_PATH")
	if runPath == "" {
		runPath = "@pulumi/pulumi/cmd/run"
	}
	if runPath, err = resolveModule(nodeBin, info.GetProgramDirectory(), runPath); err != nil {
		return &pulumirpc.RunResponse{Error: err.Error()}, nil
	}
	cfg, err := configJSON(req.GetConfig())
	if err != nil {
		return &pulumirpc.RunResponse{Error: "failed to serialize configuration: " + err.Error()}, nil
	}
	secretKeys, err := json.Marshal(append([]string{}, req.GetConfigSecretKeys()...))
	if err != nil {
		return nil, err
	}

	args := append([]string{}, opts.nodeargs...)
	args = append(args, runArgs(req, runPath, h.engine())...)
	cmd := exec.CommandContext(ctx, nodeBin, args...)
	cmd.Cancel = func() error { return cmd.Process.Signal(os.Interrupt) }
	// A program that ignores the interrupt, or leaves a child holding its output, is killed and
	// its pipes closed after this long instead of blocking the engine forever.
	cmd.WaitDelay = childWaitDelay
	cmd.Env = append(os.Environ(), "PULUMI_CONFIG="+cfg, "PULUMI_CONFIG_SECRET_KEYS="+string(secretKeys))
	cmd.Env = append(cmd.Env, opts.env()...)
	// Node may switch its stdio to non-blocking mode: give it pipes, never our own descriptors.
	cmd.Stdout = struct{ io.Writer }{os.Stdout}
	cmd.Stderr = struct{ io.Writer }{os.Stderr}

	if err := cmd.Run(); err != nil {
		var ee *exec.ExitError
		switch {
		case errors.As(err, &ee) && ee.ExitCode() == exitAlreadyReported:
			return &pulumirpc.RunResponse{Bail: true}, nil
		case errors.As(err, &ee):
			return &pulumirpc.RunResponse{Error: "Program " + describeExit(ee)}, nil
		default:
			return &pulumirpc.RunResponse{
				Error: "Problem executing program (could not run language executor): " + err.Error(),
			}, nil
		}
	}
	return &pulumirpc.RunResponse{}, nil
}

// runArgs builds the command line @pulumi/pulumi/cmd/run expects (see its usage()).
func runArgs(req *pulumirpc.RunRequest, runPath, engine string) []string {
	args := []string{runPath}
	add := func(k, v string) {
		if v != "" {
			args = append(args, "--"+k, v)
		}
	}
	info := req.GetInfo()
	// The SDK talks straight to the engine's monitor: there is no proxy and no --sync directory, so
	// the long-deprecated synchronous invokes are not supported.
	add("monitor", req.GetMonitorAddress())
	add("engine", engine)
	add("organization", req.GetOrganization())
	add("project", req.GetProject())
	add("root-directory", info.GetRootDirectory())
	add("stack", req.GetStack())
	add("pwd", info.GetProgramDirectory())
	if req.GetDryRun() {
		args = append(args, "--dry-run")
	}
	add("parallel", strconv.Itoa(int(req.GetParallel())))
	entry := info.GetEntryPoint()
	if entry == "" {
		entry = "."
	}
	args = append(args, entry)
	return append(args, req.GetArgs()...)
}

// configJSON renders the config map the way the Node SDK reads PULUMI_CONFIG: keys as
// "<namespace>:config:<name>", which every 3.x SDK understands.
func configJSON(cfg map[string]string) (string, error) {
	out := make(map[string]string, len(cfg))
	for k, v := range cfg {
		key, err := config.ParseKey(k)
		if err != nil {
			return "", err
		}
		out[key.Namespace()+":config:"+key.Name()] = v
	}
	b, err := json.Marshal(out)
	return string(b), err
}

// GetRequiredPlugins is the deprecated form; the engine falls back to it only when
// GetRequiredPackages is unimplemented, so we leave it unimplemented too.

func (h *host) GetRequiredPackages(
	_ context.Context, req *pulumirpc.GetRequiredPackagesRequest,
) (*pulumirpc.GetRequiredPackagesResponse, error) {
	pkgs := findPackages(req.GetInfo().GetProgramDirectory())
	return &pulumirpc.GetRequiredPackagesResponse{Packages: pkgs}, nil
}

// packageJSON is the part of a package.json we read.
type packageJSON struct {
	Name            string            `json:"name"`
	Version         string            `json:"version"`
	Dependencies    map[string]string `json:"dependencies"`
	DevDependencies map[string]string `json:"devDependencies"`
	Pulumi          struct {
		Resource bool   `json:"resource"`
		Name     string `json:"name"`
		Version  string `json:"version"`
		Server   string `json:"server"`
	} `json:"pulumi"`
}

func readPackageJSON(path string) (*packageJSON, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var p packageJSON
	if err := json.Unmarshal(b, &p); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return &p, nil
}

// findPackages walks dir like upstream does: every package.json below a node_modules folder that
// says {"pulumi": {"resource": true}} names a resource plugin. Symlinks are followed once; policy
// packs (folders with PulumiPolicy.yaml) are skipped, their plugins are not the program's.
func findPackages(dir string) []*pulumirpc.PackageDependency {
	seen := map[string]bool{}
	found := map[string]*pulumirpc.PackageDependency{}
	var walk func(dir string, inNodeModules bool)
	walk = func(dir string, inNodeModules bool) {
		real, err := filepath.EvalSymlinks(dir)
		if err != nil || seen[real] {
			return
		}
		seen[real] = true
		entries, err := os.ReadDir(real)
		if err != nil {
			return
		}
		below := inNodeModules || filepath.Base(dir) == "node_modules"
		for _, e := range entries {
			path := filepath.Join(dir, e.Name())
			isDir := e.IsDir()
			if e.Type()&os.ModeSymlink != 0 {
				st, err := os.Stat(path)
				if err != nil {
					continue
				}
				isDir = st.IsDir()
			}
			switch {
			case isDir:
				if e.Name() == ".git" {
					continue
				}
				if _, err := os.Stat(filepath.Join(path, "PulumiPolicy.yaml")); err == nil {
					continue
				}
				walk(path, below)
			case below && e.Name() == "package.json":
				if p := pluginOf(path); p != nil {
					found[p.Name+"@"+p.Version] = p
				}
			}
		}
	}
	walk(dir, false)
	keys := make([]string, 0, len(found))
	for k := range found {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	out := make([]*pulumirpc.PackageDependency, 0, len(keys))
	for _, k := range keys {
		out = append(out, found[k])
	}
	return out
}

// pluginOf returns the resource plugin a package.json declares, or nil.
func pluginOf(path string) *pulumirpc.PackageDependency {
	p, err := readPackageJSON(path)
	if err != nil || !p.Pulumi.Resource {
		return nil
	}
	name := p.Pulumi.Name
	if name == "" {
		if !strings.HasPrefix(p.Name, "@pulumi/") {
			return nil // third-party packages must name their plugin; upstream reports an error
		}
		name = strings.TrimPrefix(p.Name, "@pulumi/")
	}
	version := p.Pulumi.Version
	if version == "" {
		version = p.Version
	}
	if version == "" {
		return nil
	}
	if !strings.HasPrefix(version, "v") {
		version = "v" + version
	}
	return &pulumirpc.PackageDependency{Name: name, Kind: "resource", Version: version, Server: p.Pulumi.Server}
}

func (h *host) InstallDependencies(
	_ *pulumirpc.InstallDependenciesRequest, server grpc.ServerStreamingServer[pulumirpc.InstallDependenciesResponse],
) error {
	return server.Send(&pulumirpc.InstallDependenciesResponse{
		Stdout: []byte("This language host installs nothing: run `npm ci` in the project yourself.\n"),
	})
}

func (h *host) GetProgramDependencies(
	_ context.Context, req *pulumirpc.GetProgramDependenciesRequest,
) (*pulumirpc.GetProgramDependenciesResponse, error) {
	dir := req.GetInfo().GetProgramDirectory()
	p, err := readPackageJSON(filepath.Join(dir, "package.json"))
	if err != nil {
		return nil, fmt.Errorf("reading the program's package.json: %w", err)
	}
	names := make([]string, 0, len(p.Dependencies)+len(p.DevDependencies))
	for n := range p.Dependencies {
		names = append(names, n)
	}
	for n := range p.DevDependencies {
		if _, dup := p.Dependencies[n]; !dup {
			names = append(names, n)
		}
	}
	sort.Strings(names)
	resp := &pulumirpc.GetProgramDependenciesResponse{}
	for _, n := range names {
		if v := installedVersion(dir, n); v != "" {
			resp.Dependencies = append(resp.Dependencies, &pulumirpc.DependencyInfo{Name: n, Version: v})
		}
	}
	return resp, nil
}

// installedVersion finds node_modules/<name>/package.json from dir upwards, as node would.
func installedVersion(dir, name string) string {
	for d := dir; ; d = filepath.Dir(d) {
		if p, err := readPackageJSON(filepath.Join(d, "node_modules", name, "package.json")); err == nil {
			return p.Version
		}
		if filepath.Dir(d) == d {
			return ""
		}
	}
}

func (h *host) About(context.Context, *pulumirpc.AboutRequest) (*pulumirpc.AboutResponse, error) {
	nodeBin, err := exec.LookPath("node")
	if err != nil {
		return nil, fmt.Errorf("could not find node on the $PATH: %w", err)
	}
	out, err := exec.Command(nodeBin, "--version").Output()
	if err != nil {
		return nil, fmt.Errorf("node --version: %w", err)
	}
	return &pulumirpc.AboutResponse{
		Executable: nodeBin,
		Version:    strings.TrimPrefix(strings.TrimSpace(string(out)), "v"),
	}, nil
}

// RunPlugin runs a plugin written in Node.js from its folder. The 3.276 engine starts node policy
// packs this way (a folder with PulumiPolicy.yaml, kind "analyzer"), not with pulumi-analyzer-policy.
func (h *host) RunPlugin(
	req *pulumirpc.RunPluginRequest, server grpc.ServerStreamingServer[pulumirpc.RunPluginResponse],
) error {
	ctx := server.Context()
	info := req.GetInfo()
	dir := info.GetProgramDirectory()
	closer, stdout, stderr, err := rpcutil.MakeRunPluginStreams(server, false)
	if err != nil {
		return err
	}
	defer closer.Close()

	nodeBin, err := exec.LookPath("node")
	if err != nil {
		return fmt.Errorf("could not find node on the $PATH: %w", err)
	}
	opts, err := parseOptions(info)
	if err != nil {
		return err
	}
	analyzer := req.GetKind() == "analyzer"
	module := "@pulumi/pulumi/cmd/run-plugin"
	if analyzer {
		module = "@pulumi/pulumi/cmd/run-policy-pack"
	}
	script, err := resolveModule(nodeBin, dir, module)
	if err != nil {
		return err
	}
	// Node's own options (nodeargs) go before the script, as in Run; the script's after it.
	args := append(append([]string{}, opts.nodeargs...), script)
	if analyzer {
		args = append(append(args, req.GetArgs()...), dir) // <engine> <pack dir>
	} else {
		args = append(append(args, dir), req.GetArgs()...)
	}
	env := append(append([]string{}, req.GetEnv()...), opts.env()...)

	// Old-style Node policy packs learn the stack from environment variables, but the engine sends
	// it over gRPC (ConfigureStack). sdk.PolicyProxy answers the engine first, then hands over.
	var proxy *sdk.PolicyProxy
	if analyzer {
		if proxy, stdout, err = sdk.NewPolicyProxy(ctx, stdout); err != nil {
			return fmt.Errorf("could not start policy pack proxy: %w", err)
		}
		stack, err := proxy.AwaitConfiguration(ctx)
		if err != nil {
			return fmt.Errorf("could not get stack configuration: %w", err)
		}
		if stack != nil {
			env = appendNonEmpty(env, "PULUMI_NODEJS_ORGANIZATION", stack.GetOrganization())
			env = appendNonEmpty(env, "PULUMI_NODEJS_PROJECT", stack.GetProject())
			env = appendNonEmpty(env, "PULUMI_NODEJS_STACK", stack.GetStack())
			env = append(env, "PULUMI_NODEJS_DRY_RUN="+strconv.FormatBool(stack.GetDryRun()))
			if stack.GetConfig() != nil {
				b, err := json.Marshal(stack.GetConfig())
				if err != nil {
					return err
				}
				env = append(env, "PULUMI_CONFIG="+string(b))
			}
		}
	}

	cmd := exec.CommandContext(ctx, nodeBin, args...)
	cmd.WaitDelay = childWaitDelay
	cmd.Dir = req.GetPwd()
	if analyzer {
		cmd.Dir = dir // node policy packs have always run from their own folder
	}
	cmd.Env = env
	cmd.Stdout, cmd.Stderr = stdout, stderr
	if err := cmd.Start(); err != nil {
		if proxy != nil {
			proxy.Abort(err)
		}
		return fmt.Errorf("could not start node: %w", err)
	}
	if proxy != nil {
		err = proxy.Attach(ctx, cmd) // waits for the pack to exit
	} else {
		err = cmd.Wait()
	}
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		if cerr := closer.Close(); cerr != nil {
			return cerr
		}
		code := ee.ExitCode()
		if code < 0 { // ended by a signal: report it as a shell would (128 + signal), never -1
			code = 128 + signalNumber(ee)
			fmt.Fprintf(stderr, "plugin %s\n", describeExit(ee))
		}
		return server.Send(&pulumirpc.RunPluginResponse{
			Output: &pulumirpc.RunPluginResponse_Exitcode{Exitcode: int32(code)},
		})
	}
	if err != nil {
		return err
	}
	return closer.Close()
}

// childWaitDelay bounds how long Wait waits for a cancelled child, and for its output pipes.
const childWaitDelay = 10 * time.Second

// describeExit says how a child process ended: its exit code, or the signal that ended it.
func describeExit(ee *exec.ExitError) string {
	if ws, ok := ee.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
		return fmt.Sprintf("was ended by signal %d (%s)", int(ws.Signal()), ws.Signal())
	}
	return fmt.Sprintf("exited with non-zero exit code: %d", ee.ExitCode())
}

func signalNumber(ee *exec.ExitError) int {
	if ws, ok := ee.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
		return int(ws.Signal())
	}
	return 0
}

func appendNonEmpty(env []string, k, v string) []string {
	if v == "" {
		return env
	}
	return append(env, k+"="+v)
}
