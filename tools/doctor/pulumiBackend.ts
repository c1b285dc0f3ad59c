/**
 * The Pulumi checks: the state backend and the secrets provider the stack uses, reachable with the
 * credentials at hand. Reads only: a folder's access rights, a blob container listing of one item,
 * a Key Vault key's properties, Pulumi Cloud's current user, and the passphrase tried locally
 * against the stack file's encryptionsalt.
 */
import * as crypto from "crypto";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { baseUrlOverride, testOverridesEnabled } from "../../domain/baseUrlOverride";
import { TokenSource } from "../../lib/http/entraCredential";
import { isHttpError } from "../../lib/http/httpError";
import { requestJson } from "../../lib/http/request";
import { httpSettingsFromEnv } from "../../lib/http/settings";
import { CheckResult, fail, pass, warn } from "./checks";
import { StackContext } from "./stackContext";

/**
 * The test switch's redirect of the Azure and Pulumi Cloud hosts the doctor reads
 * (DBT_ADO_TEST_AZURE_BASE_URL, honoured only under DBT_ADO_TEST_OVERRIDES=1, and then https or
 * local http only): https://<host>/<path> is asked at <base>/<host>/<path>.
 */
export const AZURE_BASE_OVERRIDE = "DBT_ADO_TEST_AZURE_BASE_URL";

export function serviceUrl(url: string, env: NodeJS.ProcessEnv = process.env): string {
    const base = testOverridesEnabled(env) ? baseUrlOverride(AZURE_BASE_OVERRIDE, env) : undefined;
    return base ? url.replace(/^https:\/\//, `${base}/`) : url;
}

/** Pulumi's home: PULUMI_HOME, else ~/.pulumi. */
function pulumiHome(): string {
    return process.env.PULUMI_HOME || path.join(os.homedir(), ".pulumi");
}

function credentialsFile(): { current?: string; accessTokens?: Record<string, string> } {
    try {
        return JSON.parse(fs.readFileSync(path.join(pulumiHome(), "credentials.json"), "utf8")) as { current?: string; accessTokens?: Record<string, string> };
    } catch {
        return {};
    }
}

/** The backend `pulumi` would use for this stack, and where that choice came from. */
export function backendOf(context: StackContext): { url: string; from: string } | undefined {
    if (process.env.PULUMI_BACKEND_URL) return { url: process.env.PULUMI_BACKEND_URL, from: "PULUMI_BACKEND_URL" };
    if (context.projectBackend) return { url: context.projectBackend, from: "Pulumi.yaml's backend.url" };
    const current = credentialsFile().current;
    return current ? { url: current, from: "pulumi login (credentials.json)" } : undefined;
}

function firstLine(error: unknown): string {
    return String((error as Error)?.message ?? error).split("\n")[0];
}

async function bearer(credential: TokenSource | undefined, scope: string): Promise<string | undefined> {
    if (!credential) return undefined;
    try {
        return (await credential.getToken(scope))?.token;
    } catch {
        return undefined;
    }
}

function fileBackend(url: string, from: string): CheckResult {
    const folder = url.replace(/^file:\/\//, "").replace(/^~(?=\/|$)/, os.homedir());
    try {
        if (!fs.statSync(folder).isDirectory()) {
            return fail("pulumi.backend", `The state backend ${url} (${from}) is not a folder.`, `pulumi login file://<a folder>`);
        }
        fs.accessSync(folder, fs.constants.R_OK | fs.constants.W_OK);
        return pass("pulumi.backend", `The state backend ${url} (${from}) is a folder this user may read and write.`);
    } catch (error) {
        const missing = (error as NodeJS.ErrnoException).code === "ENOENT";
        return fail("pulumi.backend", `The state backend ${url} (${from}) ${missing ? "does not exist" : "cannot be written by this user"}.`,
            missing ? `mkdir -p ${folder}, or pulumi login <the team's backend>` : `give this user write access to ${folder}`);
    }
}

async function blobBackend(url: string, from: string, credential: TokenSource | undefined): Promise<CheckResult> {
    const parsed = /^azblob:\/\/([^/?]+)(?:\/[^?]*)?(?:\?(.*))?$/.exec(url);
    const container = parsed?.[1];
    const accountName = new URLSearchParams(parsed?.[2] ?? "").get("storage_account") ?? process.env.AZURE_STORAGE_ACCOUNT;
    if (!container || !accountName) {
        return fail("pulumi.backend", `The state backend ${url} (${from}) names no storage account.`, "export AZURE_STORAGE_ACCOUNT=<account>, as pulumi login azblob:// needs");
    }
    const sas = process.env.AZURE_STORAGE_SAS_TOKEN?.replace(/^\?/, "");
    if (!sas && process.env.AZURE_STORAGE_KEY) {
        return warn("pulumi.backend", `The state backend ${url} (${from}) is reached with AZURE_STORAGE_KEY, which the doctor does not use; not checked.`, "pulumi whoami -v and pulumi stack ls show whether it works");
    }
    const token = sas ? undefined : await bearer(credential, "https://storage.azure.com/.default");
    if (!sas && !token) {
        return fail("pulumi.backend", `No credential for the state backend ${url} (${from}): no AZURE_STORAGE_SAS_TOKEN, and no Entra sign-in for storage.`, "sign in (az login), or export AZURE_STORAGE_SAS_TOKEN");
    }
    const where = `https://${accountName}.blob.core.windows.net/${container}`;
    try {
        const answer = await requestJson<unknown>({
            method: "GET", url: serviceUrl(`${where}?restype=container&comp=list&maxresults=1${sas ? `&${sas}` : ""}`),
            headers: { "x-ms-version": "2021-08-06", Accept: "application/xml", ...(token ? { Authorization: `Bearer ${token}` } : {}) },
            permissionHint: "Storage Blob Data Contributor on the container", secrets: [token, sas], acceptStatuses: [200, 403, 404],
        }, httpSettingsFromEnv());
        if (answer.status === 404) {
            return fail("pulumi.backend", `The state backend's container ${container} does not exist in storage account ${accountName} (${from}).`, `create it (az storage container create --account-name ${accountName} --name ${container} --auth-mode login), or fix the backend URL`);
        }
        if (answer.status === 403) {
            return fail("pulumi.backend", `The signed-in identity may not read container ${container} of storage account ${accountName} (${from}).`, "grant it Storage Blob Data Contributor on the container (or the account)");
        }
        return pass("pulumi.backend", `The state backend ${url} (${from}) is readable with ${sas ? "AZURE_STORAGE_SAS_TOKEN" : "the Entra sign-in"}.`);
    } catch (error) {
        return fail("pulumi.backend", `The state backend ${url} (${from}) could not be reached: ${firstLine(error)}`, "check AZURE_STORAGE_ACCOUNT and the network");
    }
}

async function serviceBackend(url: string, from: string): Promise<CheckResult> {
    const api = url.replace(/^https:\/\/app\.pulumi\.com\/?$/, "https://api.pulumi.com").replace(/\/+$/, "");
    const token = process.env.PULUMI_ACCESS_TOKEN || credentialsFile().accessTokens?.[url] || credentialsFile().accessTokens?.[api];
    if (!token) {
        return fail("pulumi.backend", `No access token for the Pulumi Cloud backend ${api} (${from}).`, `pulumi login ${url}, or export PULUMI_ACCESS_TOKEN`);
    }
    try {
        const answer = await requestJson<{ githubLogin?: string; name?: string }>({
            method: "GET", url: serviceUrl(`${api}/api/user`), headers: { Authorization: `token ${token}`, Accept: "application/vnd.pulumi+8" },
            permissionHint: "a Pulumi access token", credentialSource: "PULUMI_ACCESS_TOKEN", secrets: [token],
        }, httpSettingsFromEnv());
        return pass("pulumi.backend", `Pulumi Cloud (${api}, ${from}) accepts the access token${answer.body?.githubLogin ? ` of ${answer.body.githubLogin}` : ""}.`);
    } catch (error) {
        return fail("pulumi.backend", `Pulumi Cloud (${api}, ${from}) refused the access token: ${firstLine(error)}`, `pulumi login ${url} again, or export a valid PULUMI_ACCESS_TOKEN`);
    }
}

export async function backendCheck(context: StackContext, credential: TokenSource | undefined): Promise<CheckResult> {
    const backend = backendOf(context);
    if (!backend) {
        return warn("pulumi.backend", "No state backend is chosen: neither PULUMI_BACKEND_URL, Pulumi.yaml's backend.url nor a pulumi login.", "pulumi login --local to try it, or pulumi login azblob://<container> for a team (README \"Real use\", step 2)");
    }
    const { url, from } = backend;
    if (url.startsWith("file://")) return fileBackend(url, from);
    if (url.startsWith("azblob://")) return blobBackend(url, from, credential);
    if (url.startsWith("https://")) return serviceBackend(url, from);
    return warn("pulumi.backend", `The state backend ${url.replace(/\?.*$/, "")} (${from}) is not checked by the doctor (it reads file://, azblob:// and Pulumi Cloud).`, "pulumi whoami -v and pulumi stack ls show whether it works");
}

/**
 * Whether `passphrase` opens `encryptionsalt` as Pulumi writes it ("v1:<salt>:v1:<nonce>:<sealed>",
 * the word "pulumi" sealed with AES-256-GCM under PBKDF2-SHA256(passphrase, salt, 1,000,000
 * rounds): pulumi/pulumi pkg/secrets/passphrase/manager.go and sdk/go/common/resource/config/crypt.go).
 */
export async function passphraseOpens(passphrase: string, encryptionSalt: string): Promise<boolean> {
    const match = /^v1:([^:]+):v1:([^:]+):([^:]+)$/.exec(encryptionSalt.trim());
    if (!match) return false;
    // A million rounds take about a second: off the event loop, so the other checks go on meanwhile.
    const key = await new Promise<Buffer>((resolve, reject) => crypto.pbkdf2(passphrase, Buffer.from(match[1], "base64"), 1_000_000, 32, "sha256", (error, derived) => (error ? reject(error) : resolve(derived))));
    try {
        const sealed = Buffer.from(match[3], "base64");
        const decipher = crypto.createDecipheriv("aes-256-gcm", key, Buffer.from(match[2], "base64"));
        decipher.setAuthTag(sealed.subarray(sealed.length - 16));
        const plain = Buffer.concat([decipher.update(sealed.subarray(0, sealed.length - 16)), decipher.final()]).toString("utf8");
        return plain === "pulumi";
    } catch {
        return false;
    }
}

async function passphraseCheck(context: StackContext): Promise<CheckResult> {
    const file = process.env.PULUMI_CONFIG_PASSPHRASE_FILE;
    let passphrase = process.env.PULUMI_CONFIG_PASSPHRASE;
    if (passphrase === undefined && file) {
        try {
            passphrase = fs.readFileSync(file, "utf8").replace(/\r?\n$/, "");
        } catch {
            return fail("pulumi.secretsProvider", `PULUMI_CONFIG_PASSPHRASE_FILE names ${file}, which cannot be read.`, "point it at the file holding the stack's passphrase");
        }
    }
    if (passphrase === undefined) {
        return fail("pulumi.secretsProvider", "The stack's secrets use a passphrase, and neither PULUMI_CONFIG_PASSPHRASE nor PULUMI_CONFIG_PASSPHRASE_FILE is set.", "export PULUMI_CONFIG_PASSPHRASE (or PULUMI_CONFIG_PASSPHRASE_FILE) from your secret store");
    }
    if (context.encryptionSalt && !(await passphraseOpens(passphrase, context.encryptionSalt))) {
        return fail("pulumi.secretsProvider", `The passphrase in ${process.env.PULUMI_CONFIG_PASSPHRASE !== undefined ? "PULUMI_CONFIG_PASSPHRASE" : "PULUMI_CONFIG_PASSPHRASE_FILE"} does not open this stack's encryptionsalt (Pulumi.${context.stack}.yaml): pulumi would refuse it.`,
            "use the passphrase the stack was created with");
    }
    return pass("pulumi.secretsProvider", "The stack's passphrase is set and opens its encryptionsalt.");
}

async function keyVaultCheck(provider: string, credential: TokenSource | undefined): Promise<CheckResult> {
    const match = /^azurekeyvault:\/\/([^/]+)\/keys\/([^/?]+)(?:\/([^/?]+))?/.exec(provider);
    if (!match) {
        return fail("pulumi.secretsProvider", `The secrets provider ${provider} is not azurekeyvault://<vault>.vault.azure.net/keys/<key>[/<version>].`, "pulumi stack change-secrets-provider with the right URL");
    }
    const token = await bearer(credential, "https://vault.azure.net/.default");
    if (!token) {
        return fail("pulumi.secretsProvider", `No Entra sign-in to reach the secrets provider's key ${match[2]} in ${match[1]}.`, "sign in (az login, workload identity in CI)");
    }
    const url = `https://${match[1]}/keys/${match[2]}${match[3] ? `/${match[3]}` : ""}?api-version=7.4`;
    try {
        const answer = await requestJson<{ key?: { key_ops?: string[] }; attributes?: { enabled?: boolean } }>({
            method: "GET", url: serviceUrl(url), headers: { Authorization: `Bearer ${token}` },
            permissionHint: "Key Vault Crypto User on the key (get, encrypt, decrypt)", secrets: [token], acceptStatuses: [403, 404],
        }, httpSettingsFromEnv());
        if (answer.status === 404) {
            return fail("pulumi.secretsProvider", `The secrets provider's key ${match[2]} does not exist in ${match[1]}.`, "fix the stack file's secretsprovider, or restore the key");
        }
        if (answer.status === 403) {
            return warn("pulumi.secretsProvider", `The signed-in identity may not read key ${match[2]} in ${match[1]}; whether it may encrypt and decrypt with it cannot be seen.`, "grant it Key Vault Crypto User on the key");
        }
        const ops = answer.body?.key?.key_ops ?? [];
        if (answer.body?.attributes?.enabled === false || !(ops.includes("encrypt") && ops.includes("decrypt"))) {
            return fail("pulumi.secretsProvider", `The key ${match[2]} in ${match[1]} is ${answer.body?.attributes?.enabled === false ? "disabled" : `not allowed to encrypt and decrypt (key_ops: ${ops.join(", ") || "none"})`}.`, "enable the key and allow encrypt and decrypt");
        }
        return pass("pulumi.secretsProvider", `The secrets provider's key ${match[2]} in ${match[1]} is readable, enabled and allows encrypt and decrypt (the right to use it is not visible read-only).`);
    } catch (error) {
        return isHttpError(error) && error.status === 401
            ? fail("pulumi.secretsProvider", `Key Vault refused the sign-in for key ${match[2]}: ${firstLine(error)}`, "sign in to the key vault's tenant")
            : fail("pulumi.secretsProvider", `The secrets provider's key vault ${match[1]} could not be reached: ${firstLine(error)}`, "check the vault's name and the network");
    }
}

export async function secretsProviderCheck(context: StackContext, credential: TokenSource | undefined): Promise<CheckResult> {
    const provider = context.secretsProvider ?? (context.encryptionSalt ? "passphrase" : undefined);
    if (!provider) {
        return pass("pulumi.secretsProvider", `Pulumi.${context.stack}.yaml names no secrets provider: the stack's secrets use the backend's default (Pulumi Cloud), or the one pulumi stack init --secrets-provider records.`);
    }
    if (provider === "passphrase") return passphraseCheck(context);
    if (provider.startsWith("azurekeyvault://")) return keyVaultCheck(provider, credential);
    return warn("pulumi.secretsProvider", `The secrets provider ${provider.replace(/\?.*$/, "")} is not checked by the doctor (it reads passphrases and azurekeyvault://).`);
}
