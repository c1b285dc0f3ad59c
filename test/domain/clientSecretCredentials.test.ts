/**
 * domain/clientSecretCredentials.ts: how the handover tells its own secrets (tracked, orphaned by a
 * run that died, left by the former ApplicationPassword slots) from everyone else's, and what one
 * handover retires. Pure: listings as Graph gives them (key ids, names, dates; never values).
 */
import * as assert from "assert/strict";
import {
    classifyCredentials, isLegacyDisplayName, ListedCredential, mintedDisplayName, parseMintedDisplayName, retiredAfterHandover, SlotRecords, slotsStillListed,
} from "../../domain/clientSecretCredentials";

const OWNER = "dbt-azure-devops/dev";
const START = new Date("2026-12-16T00:00:00Z");
const key = (n: number) => `0a1b2c3d-0000-4000-8000-${String(n).padStart(12, "0")}`;
const listed = (n: number, displayName: string): ListedCredential => ({ keyId: key(n), displayName, endDateTime: "2027-06-28T00:00:00Z" });

describe("client secret credentials: markers, classes, what a handover retires", () => {
    it("marks a minted secret with its slot, period start, stack and nonce, and reads the marker back", () => {
        const name = mintedDisplayName("a", START, OWNER, "3f9c2a1b");
        assert.equal(name, "dbt Cloud slot a 2026-12-16 [pulumi dbt-azure-devops/dev 3f9c2a1b]");
        assert.deepEqual(parseMintedDisplayName(name), { slot: "a", owner: OWNER, nonce: "3f9c2a1b" });
        // Anything else is not a marker: by hand, the former slots, a nonce of another shape, an owner with a space.
        for (const other of ["made by hand", "dbt Cloud (slot a, from 2026-12-16)", "dbt Cloud slot a 2026-12-16 [pulumi dbt-azure-devops/dev XYZ]",
            "dbt Cloud slot c 2026-12-16 [pulumi dbt-azure-devops/dev 3f9c2a1b]", "dbt Cloud slot a 2026-12-16 [pulumi my stack 3f9c2a1b]", `${name} (copy)`]) {
            assert.equal(parseMintedDisplayName(other), undefined, other);
        }
    });

    it("recognises the former ApplicationPassword slots' names, and nothing else, as legacy", () => {
        assert.ok(isLegacyDisplayName("dbt Cloud (slot a, from 2026-09-17)"));
        assert.ok(isLegacyDisplayName("dbt Cloud (slot b, from 2024-01-01)"));
        assert.ok(!isLegacyDisplayName("dbt Cloud (slot c, from 2024-01-01)"));
        assert.ok(!isLegacyDisplayName(mintedDisplayName("a", START, OWNER, "3f9c2a1b")));
        assert.ok(!isLegacyDisplayName("dbt Cloud"));
    });

    it("classifies a listing: tracked by state (any case of key id), this stack's orphans, legacy, and everyone else's", () => {
        const slots: SlotRecords = { a: { keyId: key(1).toUpperCase(), endDate: "2027-06-28T00:00:00Z", period: 12, displayName: "x" } };
        const credentials = [
            listed(1, mintedDisplayName("a", START, OWNER, "00000001")),
            listed(2, mintedDisplayName("b", START, OWNER, "00000002")),
            listed(3, "dbt Cloud (slot b, from 2026-09-17)"),
            listed(4, "made by hand"),
            listed(5, mintedDisplayName("a", START, "dbt-azure-devops/prod", "00000005")),
        ];
        const classes = classifyCredentials(credentials, slots, OWNER);
        assert.deepEqual(classes.tracked.map((c) => c.keyId), [key(1)]);
        assert.deepEqual(classes.orphans.map((c) => c.keyId), [key(2)]);
        assert.deepEqual(classes.legacy.map((c) => c.keyId), [key(3)]);
        // Another stack sharing the app (by adoption) is someone else: never touched.
        assert.deepEqual(classes.foreign.map((c) => c.keyId), [key(4), key(5)]);
    });

    it("drops from state the slots whose secret Entra no longer lists", () => {
        const slots: SlotRecords = {
            a: { keyId: key(1), endDate: "2027-06-28T00:00:00Z", period: 12, displayName: "x" },
            b: { keyId: key(2), endDate: "2027-03-30T00:00:00Z", period: 11, displayName: "y" },
        };
        assert.deepEqual(slotsStillListed(slots, [listed(2, "y")]), { b: slots.b });
        assert.deepEqual(slotsStillListed(slots, [{ ...listed(1, "x"), keyId: key(1).toUpperCase() }, listed(2, "y")]), slots);
        assert.deepEqual(slotsStillListed(slots, []), {});
    });

    describe("retiredAfterHandover", () => {
        const before: SlotRecords = {
            a: { keyId: key(1), endDate: "2027-03-30T00:00:00Z", period: 10, displayName: "old a" },
            b: { keyId: key(2), endDate: "2027-06-28T00:00:00Z", period: 11, displayName: "b" },
        };
        const classes = classifyCredentials([
            listed(1, mintedDisplayName("a", START, OWNER, "00000001")),
            listed(2, mintedDisplayName("b", START, OWNER, "00000002")),
            listed(3, mintedDisplayName("a", START, OWNER, "00000003")),
            listed(4, "dbt Cloud (slot a, from 2026-09-17)"),
            listed(5, "made by hand"),
        ], before, OWNER);

        it("retires the slot's previous occupant and the stack's orphans, keeps the other slot and everyone else's", () => {
            assert.deepEqual(retiredAfterHandover("a", before, classes, true), [key(1), key(3), key(4)]);
            assert.deepEqual(retiredAfterHandover("b", before, classes, true), [key(2), key(3), key(4)]);
        });

        it("leaves the former slots' secrets to Pulumi during the upgrade run", () => {
            assert.deepEqual(retiredAfterHandover("a", before, classes, false), [key(1), key(3)]);
        });

        it("retires nothing of a slot that held no secret, or whose secret is gone already", () => {
            assert.deepEqual(retiredAfterHandover("a", {}, classifyCredentials([listed(5, "made by hand")], {}, OWNER), true), []);
            const gone = classifyCredentials([listed(2, "b")], before, OWNER);
            assert.deepEqual(retiredAfterHandover("a", before, gone, true), [], "key 1 is no longer listed: nothing to remove");
        });
    });
});
