import { Declared, DECLARED, describeName, nameMatches, PropertyList } from "../declared";
import { PolicyResource, Rule } from "../types";
import { isEmptyValue, read, readItems, UNKNOWN } from "../values";

/**
 * The allow-list around the app: a stack of this project holds the resources the program declares
 * (../declared.ts), each where the program puts it, with only the inputs the program sets. A new
 * type (a group membership, a directory role, another app), a second copy of a resource outside
 * its place (a second app component, a second rotating secret), or an input the program never sets
 * (an inline `password`, `api`, `appRoles`, implicit grant, a homepage) is refused, whatever it is.
 */
export const declaredResourcesOnly: Rule = {
    name: "declared-resources-only",
    description: "Only the resource types the program declares, each in its place (parent components and name), with only the inputs the program sets (policy/declared.ts).",
    enforcementLevel: "mandatory",
    resourceType: "*",
    defaultConfig: {},
    check(resource) {
        const candidates = DECLARED.filter((d) => d.type === resource.type);
        if (candidates.length === 0) {
            return [`is a ${resource.type}, a resource type the program does not declare. A stack of this project holds only the resources ` +
                "listed in policy/declared.ts; anything else (another app, a role, a group membership, an owner) widens what the dbt app can do or reach."];
        }
        const placed = candidates.find((d) => sameParents(d, resource) && nameMatches(d, resource.name, resource.parentName));
        if (!placed) {
            const where = resource.parentTypes.length > 0 ? `under ${resource.parentTypes.join(" > ")}${resource.parentName ? ` (${resource.parentName})` : ""}` : "at the stack's root";
            const expected = candidates.map((d) => `${describeName(d)} ${d.parents.length > 0 ? `under ${d.parents.join(" > ")}` : "at the root"}`).join("; or ");
            return [`is a ${resource.type} declared ${where}, where the program declares none: the program's is ${expected}. ` +
                "A second copy (another app, another rotating secret) doubles what can sign in as, or act for, the app."];
        }
        return undeclaredProperties(placed, resource.props, "").map((path) =>
            `sets ${path}, which the program does not set on a ${resource.type} (policy/declared.ts lists what it may set); remove it, ` +
            "or declare it there in the same reviewed change.");
    },
};

function sameParents(declared: Declared, resource: PolicyResource): boolean {
    return declared.parents.length === resource.parentTypes.length && declared.parents.every((type, i) => resource.parentTypes[i] === type);
}

/** The property paths of `props` that `declared` does not list, ignoring the engine's own `__` keys and empty values. */
function undeclaredProperties(declared: Declared, props: Record<string, unknown>, prefix: string): string[] {
    if (declared.properties === undefined || declared.properties === "any") {
        return [];
    }
    return outside(declared.properties, props, prefix, declared.providerDefaults ?? {});
}

function outside(allowed: PropertyList, value: unknown, prefix: string, defaults: Readonly<Record<string, unknown>>): string[] {
    const found: string[] = [];
    for (const key of Object.keys(value as object)) {
        if (key.startsWith("__")) {
            continue; // the engine's, the SDK's and the bridge's own keys: a dynamic resource's __provider, a bridged block's __defaults
        }
        const path = prefix === "" ? key : `${prefix}.${key}`;
        const spec = allowed[key];
        const item = read(value, key);
        if (spec === undefined) {
            const atDefault = prefix === "" && key in defaults && item === defaults[key];
            if (!atDefault && !isEmptyValue(item)) {
                found.push(item === UNKNOWN ? `${path} (not known until the update)` : path);
            }
        } else if (spec !== true && item !== UNKNOWN && item !== null && typeof item === "object") {
            // The keys inside an object, or inside each object of a list.
            const items = Array.isArray(item) ? readItems(value, key) : [item];
            if (items !== UNKNOWN) {
                items.forEach((entry, index) => {
                    if (entry !== UNKNOWN && entry !== null && typeof entry === "object") {
                        found.push(...outside(spec, entry, Array.isArray(item) ? `${path}[${index}]` : path, {}));
                    }
                });
            }
        }
    }
    return found;
}
