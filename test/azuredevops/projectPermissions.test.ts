import * as assert from "assert";
import { GIT_REPOSITORIES_NAMESPACE as GIT, SERVICE_HOOKS_NAMESPACE as HOOKS } from "../../domain/wellKnownIds";
import { ProjectPermissionsInputs, ProjectPermissionsOutputs, projectPermissionsProvider as provider } from "../../providers/azuredevops/projectPermissions";
import { ADO_MAX_PAGES } from "../../providers/azuredevops/api/client";
import { PartialFailure } from "../../providers/providerSafety";
import { assertNoSecrets, captureConsole, FAST_HTTP_ENV, useEnv } from "../http/fakeServer";
import { FakeAzureDevOps, ORG, OTHER_PROJECT, PAT, PROJECT, SP_OBJECT_ID } from "./fakeAzureDevOps";

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
        restoreEnv = useEnv({ ...FAST_HTTP_ENV, ...(await fake.start()), AZDO_PERSONAL_ACCESS_TOKEN: PAT, DBT_ADO_READ_ATTEMPTS: "6", DBT_ADO_READ_PAUSE_MS: "1" });
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

    describe("refresh (read) and Azure DevOps edges", () => {
        const GIT_TOKEN = `repoV2/${PROJECT.id}`;

        it("read reports nothing on an untouched grant and returns the state as it was, without any credential", async () => {
            const { id, outs } = await provider.create(inputs());
            const read = await provider.read!(id, outs!);
            assert.deepStrictEqual(read, { id, props: { ...outs, drift: [] } });
            assertNoSecrets(JSON.stringify(read), [PAT, Buffer.from(`:${PAT}`).toString("base64")], "read result");
            assert.deepStrictEqual(await provider.diff!(id, read.props!, inputs()), { changes: false, replaces: [], deleteBeforeReplace: false });
        });

        it("read shows a granted bit no longer allowed and a membership gone; the next up grants them again as ours, never pre-existing", async () => {
            const { id, outs } = await provider.create(inputs());
            fake.aces.set(`${GIT}|${GIT_TOKEN}|${IDENTITY}`, 4); // someone removed PullRequestContribute
            fake.memberships.delete(`${SUBJECT}|${READERS}`); // and the Readers membership
            const { result: read } = await captureConsole(() => provider.read!(id, outs!));
            assert.deepStrictEqual(read!.props!.drift, [`PullRequestContribute on ${GIT_TOKEN} no longer allowed`, "no longer a member of \"Readers\""]);
            assert.deepStrictEqual(await provider.diff!(id, read!.props!, inputs()), { changes: true, replaces: [], deleteBeforeReplace: false });

            const { outs: repaired } = await provider.update!(id, read!.props!, inputs());
            assert.strictEqual(fake.aceBits(GIT, GIT_TOKEN, IDENTITY), 16388);
            assert.ok(fake.memberships.has(`${SUBJECT}|${READERS}`));
            assert.deepStrictEqual(repaired!.drift, []);
            assert.deepStrictEqual(repaired!.preExistingMemberships, [], "never recorded as pre-existing");
            assert.deepStrictEqual(repaired!.grantedMemberships, outs!.grantedMemberships);
            assert.deepStrictEqual(repaired!.grantedAces.map((a) => [a.namespaceId, a.bits, a.alreadyAllowedBits]), [[HOOKS, 7, 0], [GIT, 16388, 0]]);
            await provider.delete!(id, repaired!);
            assert.strictEqual(fake.aces.size, 0, "destroy still revokes all of it");
            assert.strictEqual(fake.memberships.size, 0);
        });

        it("the principal removed from the organization takes its memberships (not its ACEs): read shows that drift, up restores it", async () => {
            const { id, outs } = await provider.create(inputs());
            fake.removeEntitlement(`sk-${SP_OBJECT_ID}`);
            assert.strictEqual(fake.memberships.size, 0, "its project memberships went with it");
            assert.strictEqual(fake.aceBits(GIT, `repoV2/${PROJECT.id}`, IDENTITY), 16388, "its ACEs stay");
            const { result: read } = await captureConsole(() => provider.read!(id, outs!));
            assert.deepStrictEqual(read!.props!.drift, ["no longer a member of \"Readers\""]);
            fake.addPrincipalByHand(SP_OBJECT_ID, "express"); // the entitlement's next up adds it again
            const { outs: after } = await provider.update!(id, read!.props!, inputs());
            assert.ok(fake.memberships.has(`${SUBJECT}|${READERS}`));
            assert.deepStrictEqual(after!.preExistingMemberships, []);
            assert.deepStrictEqual(after!.drift, []);
        });

        it("read keeps the state of a project answered 404 (gone, or hidden from this credential) as drift; once visible again, up re-grants as ours and destroy revokes all", async () => {
            const { id, outs } = await provider.create(inputs());
            // Azure DevOps answers 404 for a project the credential cannot see: nothing was revoked.
            fake.projects.splice(fake.projects.indexOf(PROJECT), 1);
            const { result: read, lines } = await captureConsole(() => provider.read!(id, outs!));
            assert.strictEqual(read!.id, id, "still in state, never { id: \"\" }");
            assert.deepStrictEqual(read!.props!.grantedAces, outs!.grantedAces, "what was granted stays recorded");
            assert.deepStrictEqual(read!.props!.grantedMemberships, outs!.grantedMemberships);
            assert.deepStrictEqual(read!.props!.drift, [`project ${PROJECT.id} ("${PROJECT.name}") not found: deleted, or not visible to this credential`]);
            assert.ok(lines.some((l) => l.includes("not visible to this credential")), "refresh says so");
            assert.deepStrictEqual(await provider.diff!(id, read!.props!, inputs()), { changes: true, replaces: [], deleteBeforeReplace: false });
            // While the project is still not found, up fails naming the visible projects and changes nothing.
            await assert.rejects(provider.update!(id, read!.props!, inputs()), /no project named "Analytics"/);

            fake.projects.unshift(PROJECT);
            const { outs: after } = await provider.update!(id, read!.props!, inputs());
            assert.deepStrictEqual(after!.preExistingMemberships, [], "its own membership is never recorded as pre-existing");
            assert.deepStrictEqual(after!.grantedMemberships, outs!.grantedMemberships);
            assert.deepStrictEqual(after!.grantedAces.map((a) => [a.namespaceId, a.bits, a.alreadyAllowedBits]), [[HOOKS, 7, 0], [GIT, 16388, 0]]);
            assert.deepStrictEqual(after!.drift, []);
            await provider.delete!(id, after!);
            assert.strictEqual(fake.aces.size, 0, "destroy revokes every bit it granted");
            assert.strictEqual(fake.memberships.size, 0, "and every membership");
        });

        it("read fails, naming the endpoint, on a 200 without a project id; never reads it as gone", async () => {
            const { id, outs } = await provider.create(inputs());
            fake.server.inject((r) => r.method === "GET" && r.path.endsWith(`/projects/${PROJECT.id}`), { kind: "status", status: 200, body: {} });
            await assert.rejects(provider.read!(id, outs!), new RegExp(`GET http://127\\.0\\.0\\.1:\\d+/core/${ORG}/_apis/projects/${PROJECT.id}\\?api-version=7\\.1 answered HTTP 200 without a project id`));
        });

        it("a pre-existing Deny on a bit we grant is reported, never erased, and still there after destroy", async () => {
            fake.denies.set(`${GIT}|${GIT_TOKEN}|${IDENTITY}`, 4); // GenericContribute denied by an admin
            const { error } = await captureConsole(() => provider.create({ ...inputs(), __provider: "serialized" } as ProjectPermissionsInputs));
            const partial = error as PartialFailure;
            assert.match(String(partial.message), new RegExp(`explicit Deny for the service principal on GenericContribute on ${GIT_TOKEN} overrides the Allow dbt needs.*never removes a Deny`));
            assert.strictEqual(fake.denyBits(GIT, GIT_TOKEN, IDENTITY), 4, "the Deny is untouched");
            assert.strictEqual(fake.aceBits(GIT, GIT_TOKEN, IDENTITY), 16384, "only the bit not denied is allowed");
            const recorded = partial.properties as unknown as ProjectPermissionsOutputs;
            assert.deepStrictEqual(recorded.grantedAces.map((a) => [a.namespaceId, a.bits, a.deniedBits]), [[HOOKS, 7, 0], [GIT, 16384, 4]]);
            assert.deepStrictEqual(await provider.diff!(partial.id!, recorded, inputs()), { changes: true, replaces: [], deleteBeforeReplace: false }, "the next up reports it again");
            await provider.delete!(partial.id!, recorded);
            assert.strictEqual(fake.denyBits(GIT, GIT_TOKEN, IDENTITY), 4, "the Deny is as it was after destroy");
            assert.strictEqual(fake.aceBits(GIT, GIT_TOKEN, IDENTITY), 0);
        });

        it("writes are read back before they are recorded (lagging reads), and a destroy followed at once by a create records nothing as pre-existing", async () => {
            fake.readLag = 3;
            const first = await provider.create(inputs());
            assert.deepStrictEqual(first.outs!.grantedAces.map((a) => a.alreadyAllowedBits), [0, 0]);
            await provider.delete!(first.id, first.outs!);
            const second = await provider.create(inputs());
            assert.deepStrictEqual(second.outs!.grantedAces.map((a) => [a.bits, a.alreadyAllowedBits]), [[7, 0], [16388, 0]], "just-removed bits are not pre-existing");
            assert.deepStrictEqual(second.outs!.preExistingMemberships, []);
            assert.deepStrictEqual(second.outs!.grantedMemberships.map((m) => m.groupName), ["Readers"]);
        });

        it("a write that never reads back fails saying so, instead of recording it", async () => {
            fake.readLag = 20;
            const { error } = await captureConsole(() => provider.create(inputs()));
            assert.match(String((error as Error).message), /still did not show it after 6 reads.*DBT_ADO_READ_ATTEMPTS/);
        });

        it("diff plans an update, not a replace, while the principal's identifiers are unknown in a preview", async () => {
            const { unknownValue } = (await import("@pulumi/pulumi")).runtime;
            const { outs } = await provider.create(inputs());
            const previewed = { ...inputs(), servicePrincipal: unknownValue } as unknown as ProjectPermissionsInputs;
            assert.deepStrictEqual(await provider.diff!("x", outs!, previewed), { changes: true, replaces: [], deleteBeforeReplace: false });
        });

        it("checks membership with HEAD (404 when absent), never GET", async () => {
            await provider.create(inputs());
            assert.ok(fake.server.matching("HEAD", "graph/memberships").length >= 1);
            assert.strictEqual(fake.server.matching("GET", "graph/memberships").length, 0);
        });

        it("a membership check redirected to a sign-in page that answers 200 is an error naming the endpoint, never \"member\"", async () => {
            const { id, outs } = await provider.create(inputs());
            fake.memberships.delete(`${SUBJECT}|${READERS}`);
            fake.membershipCheckAnswer = "302";
            const { error } = await captureConsole(() => provider.read!(id, outs!));
            assert.match(String((error as Error)?.message), new RegExp(`HEAD http://127\\.0\\.0\\.1:\\d+/vssps/${ORG}/_apis/graph/memberships/${SUBJECT}/${READERS}\\?api-version=7\\.1-preview\\.1 answered HTTP 302 \\(to http://127\\.0\\.0\\.1:\\d+/signin/.*neither "member"`));
            assert.strictEqual(fake.server.matching("HEAD", "signin").length + fake.server.matching("GET", "signin").length, 0, "the redirect is not followed");
            fake.membershipCheckAnswer = "state";
            const { result } = await captureConsole(() => provider.read!(id, outs!));
            assert.deepStrictEqual(result!.props!.drift, ["no longer a member of \"Readers\""]);
        });

        it("a list still going after the page bound fails naming the endpoint, instead of reading a cut-off list as complete", async () => {
            fake.pageSize = 1;
            for (let i = 0; i < ADO_MAX_PAGES; i++) {
                fake.projects.unshift({ id: `00000000-0000-4000-8000-${String(i).padStart(12, "0")}`, name: `Filler ${i}` });
            }
            const { error } = await captureConsole(() => provider.create(inputs()));
            assert.match(String((error as Error)?.message), new RegExp(`GET http://127\\.0\\.0\\.1:\\d+/core/${ORG}/_apis/projects\\?\\$top=500&api-version=7\\.1 still had more pages after ${ADO_MAX_PAGES}`));
            assert.strictEqual(fake.server.matching("POST", "accesscontrolentries").length, 0, "nothing granted");
        });

        it("follows x-ms-continuationtoken pages for projects and groups", async () => {
            fake.pageSize = 1;
            const { outs } = await provider.create(inputs({ project: OTHER_PROJECT.name, access: "project_administrators" }));
            assert.strictEqual(outs!.projectId, OTHER_PROJECT.id);
            assert.deepStrictEqual(outs!.grantedMemberships.map((m) => m.groupName), ["Project Administrators"]);
            assert.ok(fake.server.requests.some((r) => r.path.endsWith("/projects") && r.query.get("continuationToken") === "1"));
            assert.ok(fake.server.requests.some((r) => r.path.endsWith("/graph/groups") && r.query.get("continuationToken") === "2"));
        });
    });
});
