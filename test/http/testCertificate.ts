/**
 * A throw-away TLS certificate for the local fakes that must speak https: Microsoft's identity
 * library refuses an http authority, and @azure/core-rest-pipeline sends a bearer token over https
 * only, so the fake identity platform and Graph (test/entra/fakeEntra.ts) serve https with a
 * self-signed certificate for 127.0.0.1 and localhost. Made with the openssl command (Debian's
 * openssl package), kept in one folder under the temporary directory and reused while valid.
 *
 * Node trusts it only through NODE_EXTRA_CA_CERTS, which it reads at process start:
 * - `npm test` and `npm run test:engine` start mocha with NODE_EXTRA_CA_CERTS set to the file
 *   this module prints when run as a script (`node dist/test/http/testCertificate.js`);
 * - engine tests pass it on to the engine, whose plugins inherit it;
 * - `trustTestCertificate()` makes an in-process test fail with that instruction when it is missing.
 */
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

export interface TestCertificate {
    key: string;
    cert: string;
    /** The certificate's file, for NODE_EXTRA_CA_CERTS. */
    caFile: string;
}

const DIR = path.join(os.tmpdir(), `dbt-ado-test-tls-${typeof process.getuid === "function" ? process.getuid() : "user"}`);
const KEY_FILE = path.join(DIR, "key.pem");
const CERT_FILE = path.join(DIR, "cert.pem");
/**
 * Valid for ten years, renewed when fewer than five remain: engine tests move the program's clock
 * years ahead (libfaketime) to cross rotation boundaries, and its TLS checks see that clock.
 */
const VALID_DAYS = 3650;
const RENEW_MS = 5 * 365 * 86_400_000;

function fresh(): boolean {
    try {
        const { X509Certificate } = require("crypto") as typeof import("crypto");
        const cert = new X509Certificate(fs.readFileSync(CERT_FILE));
        return fs.existsSync(KEY_FILE) && Date.parse(cert.validTo) - Date.now() > RENEW_MS;
    } catch {
        return false;
    }
}

function make(): void {
    fs.mkdirSync(DIR, { recursive: true, mode: 0o700 });
    const work = fs.mkdtempSync(path.join(DIR, "new-"));
    try {
        execFileSync("openssl", [
            "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-sha256", "-days", String(VALID_DAYS),
            "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost",
            "-keyout", path.join(work, "key.pem"), "-out", path.join(work, "cert.pem"),
        ], { stdio: ["ignore", "ignore", "pipe"] });
        // Key first: a reader that sees the new certificate finds its key.
        fs.renameSync(path.join(work, "key.pem"), KEY_FILE);
        fs.renameSync(path.join(work, "cert.pem"), CERT_FILE);
    } catch (error) {
        throw new Error(`Could not make a test TLS certificate with openssl (apt-get install openssl): ${(error as Error).message}`);
    } finally {
        fs.rmSync(work, { recursive: true, force: true });
    }
}

export function testCertificate(): TestCertificate {
    if (!fresh()) {
        make();
    }
    return { key: fs.readFileSync(KEY_FILE, "utf8"), cert: fs.readFileSync(CERT_FILE, "utf8"), caFile: CERT_FILE };
}

/**
 * Makes this process trust the certificate: already so when NODE_EXTRA_CA_CERTS named it at start;
 * else, on Node 22.19 and later, by adding it to the default CA list; else a clear failure.
 */
export function trustTestCertificate(): void {
    const { caFile, cert } = testCertificate();
    if (process.env.NODE_EXTRA_CA_CERTS === caFile) {
        return;
    }
    const tls = require("tls") as { setDefaultCACertificates?: (certs: string[]) => void; getCACertificates?: (type: string) => string[] };
    if (tls.setDefaultCACertificates && tls.getCACertificates) {
        tls.setDefaultCACertificates([...tls.getCACertificates("default"), cert]);
        return;
    }
    throw new Error(`This test needs the test TLS certificate trusted: run it through \`npm test\`, or start mocha with NODE_EXTRA_CA_CERTS=${caFile}.`);
}

if (require.main === module) {
    process.stdout.write(`${testCertificate().caFile}\n`);
}
