/**
 * The locks a DIY state backend holds on a stack. Pulumi 3.276 (pkg/backend/diy/lock.go) writes
 * one file per running update, refresh, destroy or `stack import`, at
 * `.pulumi/locks/organization/<project>/<stack>/<lock id>.json` (project-scoped layout; the legacy
 * layout drops `organization/<project>/`), holding `{"pid", "username", "hostname", "timestamp"}`,
 * and deletes it when the operation ends. A SIGKILLed CLI never deletes it, and every later
 * update fails with "the stack is currently locked by 1 lock(s)". Previews take no lock.
 * `pulumi cancel` on a DIY backend deletes every lock file of the stack (CancelCurrentUpdate).
 *
 * The CLI has no command that lists locks, so they are read from the backend itself: a file://
 * backend from the disk, an azblob:// backend with the Azure CLI (signed in by the job: azure/login
 * on GitHub, AzureCLI@2 on Azure Pipelines). Other backends are reported as unknown.
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { Env } from "./ciEnvironment";

export interface StackLock {
    /** Where it is, as the backend names it. */
    key: string;
    pid?: number;
    username?: string;
    hostname?: string;
    timestamp?: string;
}

export type LockListing = { known: true; locks: StackLock[] } | { known: false; why: string };

/** The lock files' folder names of `stack` under a backend root, both layouts. */
function lockFolders(project: string, stack: string): string[] {
    return [path.posix.join(".pulumi", "locks", "organization", project, stack), path.posix.join(".pulumi", "locks", stack)];
}

function isLockFile(name: string): boolean {
    return name.endsWith(".json") && !name.endsWith(".attrs");
}

export function listStackLocks(backendUrl: string, project: string, stack: string, env: Env): LockListing {
    const scheme = /^([a-z0-9+]+):\/\//.exec(backendUrl)?.[1];
    if (scheme === "file") {
        return listFileLocks(backendUrl, project, stack, env);
    }
    if (scheme === "azblob") {
        return listAzureBlobLocks(backendUrl, project, stack, env);
    }
    return { known: false, why: `locks of a ${scheme ?? "(unknown)"}:// backend cannot be listed here` };
}

function listFileLocks(backendUrl: string, project: string, stack: string, env: Env): LockListing {
    let root = decodeURIComponent(backendUrl.replace(/^file:\/\//, "").replace(/\?.*$/, ""));
    if (root === "~" || root.startsWith("~/")) {
        root = path.join(env.HOME ?? os.homedir(), root.slice(1));
    }
    const locks: StackLock[] = [];
    for (const folder of lockFolders(project, stack)) {
        const dir = path.join(root, folder);
        for (const name of fs.existsSync(dir) ? fs.readdirSync(dir).filter(isLockFile) : []) {
            const file = path.join(dir, name);
            if (!fs.statSync(file).isFile()) {
                continue;
            }
            locks.push({ key: path.posix.join(folder, name), ...lockContent(fs.readFileSync(file, "utf8")) });
        }
    }
    return { known: true, locks };
}

function listAzureBlobLocks(backendUrl: string, project: string, stack: string, env: Env): LockListing {
    const match = /^azblob:\/\/([^/?]+)\/?([^?]*)/.exec(backendUrl);
    const account = env.AZURE_STORAGE_ACCOUNT;
    if (!match || !account) {
        return { known: false, why: "the azblob:// backend URL or AZURE_STORAGE_ACCOUNT is missing" };
    }
    const [, container, prefix] = match;
    const locks: StackLock[] = [];
    for (const folder of lockFolders(project, stack)) {
        const listed = spawnSync(
            "az",
            ["storage", "blob", "list", "--auth-mode", "login", "--account-name", account, "--container-name", container, "--prefix", `${prefix ? `${prefix.replace(/\/$/, "")}/` : ""}${folder}/`, "--output", "json"],
            { env: env as NodeJS.ProcessEnv, encoding: "utf8" },
        );
        if (listed.status !== 0) {
            return { known: false, why: `az storage blob list failed: ${(listed.stderr || listed.error?.message || "").trim().split("\n").pop()}` };
        }
        let blobs: Array<{ name?: string; properties?: { lastModified?: string } }>;
        try {
            blobs = JSON.parse(listed.stdout);
        } catch {
            return { known: false, why: "az storage blob list answered something that is not JSON" };
        }
        for (const blob of blobs) {
            const name = blob.name ?? "";
            // Only files directly in the folder: a stack named like another's prefix has its own folder.
            if (isLockFile(name) && path.posix.dirname(name).endsWith(folder)) {
                locks.push({ key: name, timestamp: blob.properties?.lastModified });
            }
        }
    }
    return { known: true, locks };
}

function lockContent(text: string): Omit<StackLock, "key"> {
    try {
        const parsed = JSON.parse(text) as { pid?: unknown; username?: unknown; hostname?: unknown; timestamp?: unknown };
        return {
            pid: typeof parsed.pid === "number" ? parsed.pid : undefined,
            username: typeof parsed.username === "string" ? parsed.username : undefined,
            hostname: typeof parsed.hostname === "string" ? parsed.hostname : undefined,
            timestamp: typeof parsed.timestamp === "string" ? parsed.timestamp : undefined,
        };
    } catch {
        return {};
    }
}

/** Whether a lock was written by a process of this machine that has ended (so it can only be stale). */
export function heldByEndedLocalProcess(lock: StackLock): boolean {
    if (lock.hostname !== os.hostname() || lock.pid === undefined) {
        return false;
    }
    try {
        process.kill(lock.pid, 0);
        return false;
    } catch (error) {
        return (error as NodeJS.ErrnoException).code === "ESRCH";
    }
}

export function describeLock(lock: StackLock): string {
    const who = lock.hostname ? `${lock.username ?? "?"}@${lock.hostname} (pid ${lock.pid ?? "?"})` : "unknown holder";
    return `${lock.key}: ${who}${lock.timestamp ? ` since ${lock.timestamp}` : ""}`;
}
