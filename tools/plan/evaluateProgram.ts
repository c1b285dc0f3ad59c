import * as pulumi from "@pulumi/pulumi";
import { readStackConfig } from "../../config/readStackConfig";
import { StackConfig } from "../../config/stackConfigSchema";
import { buildProgram } from "../../program";
import { programMocks, ProgramMockOptions } from "./programMocks";
import { withProviderSerialization } from "./providerSerialization";
import { reveal, unknownPlaceholder, UnknownLabel } from "./revealInputs";
import { IdStyle } from "./stableIds";

export interface EvaluationRequest {
    project: string;
    stack: string;
    /** Fully qualified config keys to values, as the CLI would pass them. */
    config: Record<string, string>;
    secretKeys?: string[];
    at: Date;
    idStyle: IdStyle;
    /** Serialize dynamic providers' code as `pulumi up` does (tests); the plan may skip it. */
    serializeProviders: boolean;
    mocks?: Omit<ProgramMockOptions, "idStyle" | "at">;
}

export interface ResourceOptionsShown {
    protect?: boolean;
    ignoreChanges?: string[];
    retainOnDelete?: boolean;
    /** The id of an existing cloud object the resource adopts (Pulumi's `import` option). */
    import?: string;
    /** Where the resource was before, one `(type, name, parent)` each: see {@link FormerIdentity}. */
    aliases?: FormerIdentity[];
}

/**
 * An alias, as the identity it stands for: the type, name and parent name the resource had.
 * `parent` is absent for a resource that had none (the stack's direct child).
 */
export interface FormerIdentity {
    type: string;
    name: string;
    parent?: string;
}

export interface EvaluatedResource {
    type: string;
    name: string;
    parent?: string;
    /** The component ancestors' types, outermost first, as the engine writes them into the URN. */
    parentTypes: string[];
    custom: boolean;
    /** Inputs with every secret shown as `[secret]`. */
    inputs: Record<string, unknown>;
    options: ResourceOptionsShown;
    /** Unmasked inputs (with the serialized provider of a dynamic resource) and the mock's state: for tests, never printed. */
    actualInputs: Record<string, unknown>;
    state?: Record<string, unknown>;
    id?: string;
}

export interface Evaluation {
    resources: EvaluatedResource[];
    outputs: Record<string, unknown>;
    actualOutputs: Record<string, unknown>;
    /** The stack's configuration as the program read it. */
    config: StackConfig;
}

// Inputs the SDK adds for dynamic providers: the serialized provider code, not a user input.
const INTERNAL_INPUTS = new Set(["__provider"]);

/**
 * Runs the real program under Pulumi's mock runtime: no engine, no credentials, no network.
 * Resources are recorded by a stack transformation (which sees parents, options and secret
 * Outputs); the mocks answer like the providers would. Process-global, so calls must not overlap.
 *
 * With `idStyle: "placeholder"` (the offline plan) the program runs as a preview, as
 * `pulumi preview` runs it: an output the mocks leave out stays unknown (and shows as
 * `<output of resource>`), and the program's own checks on it wait for `pulumi up`, as they do
 * there. With `"guid"` (tests) it runs as an update, every output known.
 */
export function evaluateProgram(request: EvaluationRequest): Promise<Evaluation> {
    return withProviderSerialization(request.serializeProviders, () => evaluate(request));
}

async function evaluate(request: EvaluationRequest): Promise<Evaluation> {
    const states = new Map<string, { id?: string; state: Record<string, unknown>; custom: boolean }>();
    const unknownOutputs = new Map<string, string[]>();
    const onUnknown = (resource: string, output: string) => unknownOutputs.set(resource, [...(unknownOutputs.get(resource) ?? []), output]);
    const mocks = programMocks({ idStyle: request.idStyle, at: request.at, onUnknown, ...request.mocks });
    // An unknown value is named after the resource's output it comes from, when that is clear.
    const label: UnknownLabel = (resources, key) => {
        const outputs = resources.length === 1 ? (unknownOutputs.get(resources[0]) ?? []) : [];
        return unknownPlaceholder(resources, outputs.length === 1 ? outputs[0] : key);
    };
    await pulumi.runtime.setMocks(
        {
            newResource: async (args) => {
                const result = await mocks.newResource(args);
                states.set(`${args.type}::${args.name}`, { id: result.id, state: result.state, custom: args.custom === true });
                return result;
            },
            call: (args) => mocks.call(args),
        },
        request.project,
        request.stack,
        request.idStyle === "placeholder",
    );
    pulumi.runtime.setAllConfig(request.config, request.secretKeys ?? []);
    // Read before the stack exists, so a ConfigError is a plain rejection instead of a failure
    // inside the half-built stack resource; then the program runs as index.ts runs it, at `at`.
    const config = readStackConfig(request.at);

    const recorded: { type: string; name: string; parent?: string; parentTypes: string[]; custom: boolean; props: unknown; options: ResourceOptionsShown }[] = [];
    let exports: Record<string, unknown> = {};
    await pulumi.runtime.runInPulumiStack(async () => {
        pulumi.runtime.registerStackTransformation((args) => {
            const parent = nameOf(args.opts.parent);
            recorded.push({
                type: args.type,
                name: args.name,
                parent,
                parentTypes: ancestorTypes(args.opts.parent),
                // Not yet known here: a transformation runs inside the Resource constructor, before
                // CustomResource marks itself (isInstance is false for every resource at that point).
                custom: false,
                props: args.props,
                options: optionsShown(args.type, args.name, parent, args.opts as pulumi.CustomResourceOptions),
            });
            return undefined;
        });
        exports = { ...buildProgram(config, request.at) };
        return exports;
    });

    const resources: EvaluatedResource[] = [];
    for (const entry of recorded) {
        const props = (entry.props ?? {}) as Record<string, unknown>;
        const inputs = await reveal(props, label);
        const shown = Object.fromEntries(
            Object.entries(inputs.shown as Record<string, unknown>).filter(([k]) => !INTERNAL_INPUTS.has(k)),
        );
        const result = states.get(`${entry.type}::${entry.name}`);
        resources.push({
            type: entry.type,
            name: entry.name,
            ...(entry.parent ? { parent: entry.parent } : {}),
            parentTypes: entry.parentTypes,
            // What the engine was asked to register (the mock monitor's `custom` flag).
            custom: result?.custom ?? entry.custom,
            inputs: shown,
            options: entry.options,
            actualInputs: inputs.actual as Record<string, unknown>,
            ...(result ? { id: result.id, state: result.state } : {}),
        });
    }
    const outputs = await reveal(exports, label);
    return {
        resources,
        outputs: outputs.shown as Record<string, unknown>,
        actualOutputs: outputs.actual as Record<string, unknown>,
        config,
    };
}

function optionsShown(type: string, name: string, parent: string | undefined, opts: pulumi.CustomResourceOptions): ResourceOptionsShown {
    const shown: ResourceOptionsShown = {};
    if (opts.protect) shown.protect = true;
    if (opts.ignoreChanges && opts.ignoreChanges.length > 0) shown.ignoreChanges = [...opts.ignoreChanges];
    if (opts.retainOnDelete) shown.retainOnDelete = true;
    if (opts.import) shown.import = String(opts.import);
    const aliases = (opts.aliases ?? []).map((alias) => formerIdentity(type, name, parent, alias));
    if (aliases.length > 0) shown.aliases = aliases;
    return shown;
}

/** The types of `parent` and its ancestors, outermost first, without the root stack (as in a URN). */
function ancestorTypes(parent: unknown): string[] {
    const types: string[] = [];
    for (let r = parent as { __pulumiType?: string; __parentResource?: unknown } | undefined; r; r = r.__parentResource as typeof r) {
        if (r.__pulumiType !== undefined && r.__pulumiType !== "pulumi:pulumi:Stack") {
            types.unshift(r.__pulumiType);
        }
    }
    return types;
}

function nameOf(resource: unknown): string | undefined {
    return (resource as { __name?: string } | undefined)?.__name;
}

/** What an alias object says the resource was; a URN-string alias is not used by this program. */
function formerIdentity(type: string, name: string, parent: string | undefined, alias: pulumi.Input<pulumi.URN | pulumi.Alias>): FormerIdentity {
    if (typeof alias === "string" || pulumi.Output.isInstance(alias) || alias instanceof Promise) {
        throw new Error(`${name}: only alias objects with plain values can be shown by the plan.`);
    }
    const spec = alias as pulumi.Alias;
    // As the SDK reads it: no `parent` key keeps the current parent; `parent: undefined`
    // (pulumi.rootStackResource) means none.
    // A parent given by URN (one no longer declared) is named by the URN's last part.
    const formerParent = !Object.prototype.hasOwnProperty.call(spec, "parent") ? parent
        : typeof spec.parent === "string" ? spec.parent.split("::").pop() : nameOf(spec.parent);
    const formerName = typeof spec.name === "string" ? spec.name : name;
    const formerType = typeof spec.type === "string" ? spec.type : type;
    return { type: formerType, name: formerName, ...(formerParent !== undefined ? { parent: formerParent } : {}) };
}
