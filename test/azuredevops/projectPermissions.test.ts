import * as assert from "assert";
import { GIT_REPOSITORIES_NAMESPACE as GIT, SERVICE_HOOKS_NAMESPACE as HOOKS } from "../../domain/wellKnownIds";
import { ProjectPermissionsInputs, ProjectPermissionsOutputs, projectPermissionsProvider as provider } from "../../providers/azuredevops/projectPermissions";
import { PartialFailure } from "../../providers/providerSafety";
import { assertNoSecrets, captureConsole, FAST_HTTP_ENV, useEnv } from "../http/fakeServer";
import { FakeAzureDevOps, ORG, PAT, PROJECT, SP_OBJECT_ID } from "./fakeAzureDevOps";

const SUBJECT = FakeAzureDevOps.subjectDescriptor(SP_OBJECT_ID);
const IDENTITY = FakeAzureDevOps.identityDescriptor(SP_OBJECT_ID);
const READERS = FakeAzureDevOps.groupDescriptor(PROJECT.id, "Readers");
const ADMINS = FakeAzureDevOps.groupDescriptor(PROJECT.id, "Project Administrators");

describe("azuredevops: AzureDevOpsProjectPermissions provider", () => {
    let fake: FakeAzureDevOps;
    let restoreEnv: () => void;

    beforeEach(async () => {
        fake = new FakeAzureDevOps();
        fake.addPrincipalByHand(SP_OBJECT_ID, "express");
        restoreEnv = useEnv({ ...FAST_HTTP_ENV, ...(await fake.start()), AZDO_PERSONAL_ACCESS_TOKEN: PAT });
    });
    afterEach(async () => { restoreEnv(); await fake.server.stop(); });

    const inputs = (over: Partial<ProjectPermissionsInputs> = {}): ProjectPermissionsInputs => ({
        organization: ORG, project: PROJECT.name, servicePrincipal: { subjectDescriptor: SUBJECT, identityDescriptor: IDENTITY }, access: "least_privilege", ...over,
    });

    it("least_privilege merges exactly dbt's bits on the project tokens and joins Readers", async () => {
        const { outs } = await provider.create(inputs());
        assert.strictEqual(fake.aceBits(HOOKS, `PublisherSecurity/${PROJECT.id}`, IDENTITY), 7);
        assert.strictEqual(fake.aceBits(GIT, `repoV2/${PROJECT.id}`, IDENTITY), 16388);
        assert.ok(fake.memberships.has(`${SUBJECT}|${READERS}`));
        const posts = fake.server.matching("POST", "accesscontrolentries");
        assert.deepStrictEqual(posts.map((p) => [p.path, p.query.get("api-version"), p.body]), [
            [`/core/${ORG}/_apis/accesscontrolentries/${HOOKS}`, "7.1", { token: `PublisherSecurity/${PROJECT.id}`, merge: true, accessControlEntries: [{ descriptor: IDENTITY, allow: 7, deny: 0, extendedInfo: {} }] }],
            [`/core/${ORG}/_apis/accesscontrolentries/${GIT}`, "7.1", { token: `repoV2/${PROJECT.id}`, merge: true, accessControlEntries: [{ descriptor: IDENTITY, allow: 16388, deny: 0, extendedInfo: {} }] }],
        ]);
        const put = fake.server.matching("PUT", "graph/memberships");
        assert.strictEqual(put.length, 1);
        assert.strictEqual(put[0].path, `/vssps/${ORG}/_apis/graph/memberships/${SUBJECT}/${READERS}`);
        assert.deepStrictEqual(outs?.grantedMemberships, [{ groupName: "Readers", groupDescriptor: READERS }]);
        assert.strictEqual(outs?.projectId, PROJECT.id);
    });

    it("removing the permissions revokes exactly what was granted and keeps what was there before", async () => {
        // Before: an admin gave the principal Git Read (2) and GenericContribute (4), and Readers membership.
        fake.aces.set(`${GIT}|repoV2/${PROJECT.id}|${IDENTITY}`, 2 | 4);
        fake.memberships.add(`${SUBJECT}|${READERS}`);
        const { id, outs } = await provider.create(inputs());
        const git = outs!.grantedAces.find((a) => a.namespaceId === GIT)!;
        assert.strictEqual(git.bits, 16384, "only PullRequestContribute was added");
        assert.strictEqual(git.alreadyAllowedBits, 4);
        assert.deepStrictEqual(outs!.grantedMemberships, []);
        assert.deepStrictEqual(outs!.preExistingMemberships, ["Readers"]);

        await provider.delete!(id, outs!);
        assert.strictEqual(fake.aceBits(GIT, `repoV2/${PROJECT.id}`, IDENTITY), 2 | 4, "pre-existing bits stay");
        assert.strictEqual(fake.aceBits(HOOKS, `PublisherSecurity/${PROJECT.id}`, IDENTITY), 0, "our bits are gone");
        assert.ok(fake.memberships.has(`${SUBJECT}|${READERS}`), "pre-existing membership stays");
        const removals = fake.server.matching("DELETE", "permissions/").map((r) => `${r.path}?token=${r.query.get("token")}&descriptor=${r.query.get("descriptor")}`);
        assert.deepStrictEqual(removals.sort(), [
            `/core/${ORG}/_apis/permissions/${GIT}/16384?token=repoV2/${PROJECT.id}&descriptor=${IDENTITY}`,
            `/core/${ORG}/_apis/permissions/${HOOKS}/7?token=PublisherSecurity/${PROJECT.id}&descriptor=${IDENTITY}`,
        ].sort());
        assert.strictEqual(fake.server.matching("DELETE", "graph/memberships").length, 0);
        assert.strictEqual(fake.server.matching("DELETE", "accesscontrolentries").length, 0, "never drops whole ACEs");
    });

    it("project_administrators joins Project Administrators only, and delete leaves", async () => {
        const { id, outs } = await provider.create(inputs({ access: "project_administrators" }));
        assert.ok(fake.memberships.has(`${SUBJECT}|${ADMINS}`));
        assert.strictEqual(fake.server.matching("POST", "accesscontrolentries").length, 0);
        await provider.delete!(id, outs!);
        assert.strictEqual(fake.memberships.size, 0);
    });

    it("an unknown project fails with the organization's project list", async () => {
        await assert.rejects(provider.create(inputs({ project: "Analytcs" })), /no project named "Analytcs".*"Analytics", "Web"/);
    });

    it("a failure midway reports what was done; the next run finishes and destroy still revokes everything", async () => {
        fake.server.inject((r) => r.method === "POST" && r.path.includes(GIT), { kind: "status", status: 500 }, 10);
        const { error } = await captureConsole(() => provider.create({ ...inputs(), __provider: "serialized" } as ProjectPermissionsInputs));
        const partial = error as PartialFailure;
        assert.ok(partial.id, "partial failure carries an id");
        const recorded = partial.properties as unknown as ProjectPermissionsOutputs & { __provider: string };
        assert.strictEqual(recorded.__provider, "serialized", "the engine can still find the provider for delete");
        assert.deepStrictEqual(recorded.grantedAces.map((a) => [a.namespaceId, a.bits]), [[HOOKS, 7]]);

        fake.server.reset();
        const { outs } = await provider.update!(partial.id!, recorded, inputs());
        assert.deepStrictEqual(outs!.grantedAces.map((a) => [a.namespaceId, a.bits]), [[HOOKS, 7], [GIT, 16388]]);
        assert.strictEqual(fake.server.matching("POST", HOOKS).length, 0, "no duplicate grant");

        await provider.delete!(partial.id!, outs!);
        assert.strictEqual(fake.aces.size, 0);
        assert.strictEqual(fake.memberships.size, 0);
    });

    it("diff replaces, deleting first, on any change", async () => {
        const { outs } = await provider.create(inputs());
        assert.deepStrictEqual(await provider.diff!("x", outs!, inputs({ access: "project_administrators" })), { changes: true, replaces: ["access"], deleteBeforeReplace: true });
        assert.deepStrictEqual(await provider.diff!("x", outs!, inputs()), { changes: false, replaces: [], deleteBeforeReplace: false });
    });

    it("a 403 on the ACE call names the endpoint and the Security (Manage) scope without the PAT", async () => {
        fake.server.inject((r) => r.method === "POST", { kind: "status", status: 403, body: { message: `no for ${PAT}` } });
        const { error } = await captureConsole(() => provider.create(inputs()));
        const message = String((error as Error).message);
        assert.match(message, /POST http:\/\/127\.0\.0\.1:\d+\/core\/contoso\/_apis\/accesscontrolentries\/.*HTTP 403.*Security \(Manage\)/);
        assertNoSecrets(message + (error as Error).stack, [PAT], "error");
    });
});
