/**
 * policy/config.json, the pack's own config that CI passes with `--policy-pack-config`: the only
 * place a custom dbt Cloud host is allowed (the stack's config can narrow the redirect-URI rule's
 * hosts, never widen them). Checked here so a typo cannot silently fall back to the defaults.
 */
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { RULES } from "../../policy/rules";
import { REPO_ROOT } from "../harness/runProgram";

describe("policy pack config (policy/config.json)", () => {
    const config = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, "policy", "config.json"), "utf8")) as Record<string, Record<string, unknown>>;

    it("names only the pack's policies, with only keys their schemas declare, and never lowers an enforcement level", () => {
        for (const [policy, settings] of Object.entries(config)) {
            const rule = RULES.find((r) => r.name === policy);
            assert.ok(rule, `no policy named ${policy}`);
            for (const key of Object.keys(settings)) {
                assert.ok(key in (rule.configSchema?.properties ?? {}), `${policy}: ${key} is not in its config schema`);
            }
        }
    });

    it("lists redirect hosts as bare lower-case host names (no scheme, path, port or wildcard)", () => {
        const hosts = config["entra-app-dbt-redirect-uris-only"]?.allowedHosts ?? [];
        assert.ok(Array.isArray(hosts));
        for (const host of hosts as unknown[]) {
            assert.match(String(host), /^(?!-)[a-z0-9-]+(\.[a-z0-9-]+)+$/, String(host));
        }
        assert.equal(config["entra-app-dbt-redirect-uris-only"]?.allowedDomains, undefined, "dbt's domains stay the default: widen by host, not by domain");
    });

    it("allows the same custom hosts for redirect URIs and for the dbt API, which receives the token and the client secret", () => {
        assert.deepEqual(config["dbt-api-host-allowed"]?.allowedHosts, config["entra-app-dbt-redirect-uris-only"]?.allowedHosts);
        assert.equal(config["dbt-api-host-allowed"]?.allowedDomains, undefined);
    });

    it("pins the owners by object id, and names no stack for teardown (a teardown is its own reviewed change)", () => {
        const owners = config["entra-app-owners-pinned"]?.allowedOwners as unknown[];
        assert.ok(Array.isArray(owners) && owners.length > 0, "an empty list refuses every app");
        for (const owner of owners) {
            assert.match(String(owner), /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/, String(owner));
        }
        assert.deepEqual(config["entra-app-protected"]?.teardownStacks, []);
    });

});
