import { createHash } from "crypto";

/**
 * Deterministic stand-ins for identifiers the cloud assigns. `guid` gives realistic values for
 * tests (so wiring mistakes fail); `placeholder` gives labelled ones for the offline plan.
 */
export type IdStyle = "guid" | "placeholder";

export function stableGuid(...parts: string[]): string {
    const hex = createHash("sha256").update(parts.join("\u0000")).digest("hex");
    const variant = ((parseInt(hex[16], 16) & 0x3) | 0x8).toString(16);
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/** Shaped like an Entra client secret (40 characters, `~` after the key hint). */
export function stableSecretValue(...parts: string[]): string {
    const body = createHash("sha256").update(["secret", ...parts].join("\u0000")).digest("base64url");
    return `${body.slice(0, 3)}8Q~${body.slice(3, 37)}`;
}

export function cloudValue(style: IdStyle, what: string, of: string): string {
    return style === "guid" ? stableGuid(what, of) : `<${what} of ${of}>`;
}
