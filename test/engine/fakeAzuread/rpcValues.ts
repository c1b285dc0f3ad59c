/**
 * How values look on the provider wire as `@pulumi/pulumi/provider`'s server hands them over
 * (`Struct.toJavaScript()`, no deserialization): secrets are `{ [SIG_KEY]: SECRET_SIG, value }`
 * objects (the server's Configure answers `acceptSecrets: true`), and a value not yet known on
 * preview is the string UNKNOWN. Constants: node_modules/@pulumi/pulumi/runtime/rpc.js
 * (`specialSigKey`, `specialSecretSig`, `unknownValue`).
 *
 * Outputs go back the same way: a secret wrapper returned in `outs` reaches the engine as a
 * secret, because the engine unmarshals provider outputs with KeepSecrets (pulumi/pulumi
 * pkg/resource/plugin/provider_plugin.go, Create/Update/Read).
 */

export const SIG_KEY = "4dabf18193072939515e22adb298388d";
export const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";
export const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

export interface SecretWrapper {
    [SIG_KEY]: typeof SECRET_SIG;
    value: unknown;
}

export function isSecret(v: unknown): v is SecretWrapper {
    return typeof v === "object" && v !== null && (v as Record<string, unknown>)[SIG_KEY] === SECRET_SIG;
}

export function secret<T>(value: T): SecretWrapper {
    return { [SIG_KEY]: SECRET_SIG, value };
}

/** Strips every secret wrapper, deeply. */
export function plain(v: unknown): unknown {
    if (isSecret(v)) {
        return plain(v.value);
    }
    if (Array.isArray(v)) {
        return v.map(plain);
    }
    if (typeof v === "object" && v !== null) {
        return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, plain(x)]));
    }
    return v;
}

/** Strips secret wrappers from a property bag. */
export function plainProps(props: Record<string, unknown> | undefined): Record<string, unknown> {
    return (plain(props ?? {}) as Record<string, unknown>) ?? {};
}

/** True if the value is, or holds anywhere inside it, the unknown sentinel. */
export function containsUnknown(v: unknown): boolean {
    if (v === UNKNOWN) {
        return true;
    }
    if (isSecret(v)) {
        return containsUnknown(v.value);
    }
    if (Array.isArray(v)) {
        return v.some(containsUnknown);
    }
    if (typeof v === "object" && v !== null) {
        return Object.values(v).some(containsUnknown);
    }
    return false;
}

/** True if the value is, or holds anywhere inside it, a secret. */
export function containsSecret(v: unknown): boolean {
    if (isSecret(v)) {
        return true;
    }
    if (Array.isArray(v)) {
        return v.some(containsSecret);
    }
    if (typeof v === "object" && v !== null) {
        return Object.values(v).some(containsSecret);
    }
    return false;
}

/**
 * Keeps secrecy across the provider: every output whose input of the same name held a secret
 * goes back wrapped, so the engine does not lose the bit (it only re-derives it for providers
 * that refuse secrets).
 */
export function rewrapSecrets(
    outs: Record<string, unknown>,
    inputs: Record<string, unknown> | undefined,
): Record<string, unknown> {
    const result: Record<string, unknown> = { ...outs };
    for (const [k, v] of Object.entries(inputs ?? {})) {
        if (k in result && containsSecret(v) && !isSecret(result[k])) {
            result[k] = secret(result[k]);
        }
    }
    return result;
}
