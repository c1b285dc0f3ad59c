/**
 * Bad stack configurations and the message each must produce. Shared by the program test and the
 * offline-plan test so both report the same problem for the same input.
 */
export interface BadConfig {
    title: string;
    /** Project keys without namespace; `null` removes a required key. */
    config: Record<string, string | null>;
    /** The key the message must name. */
    key: string;
    message: RegExp;
}

export const BAD_CONFIGS: BadConfig[] = [
    { title: "missing organization", config: { adoOrganization: null }, key: "adoOrganization", message: /is required .*Run: pulumi config set adoOrganization <value>$/ },
    { title: "organization given as a dev.azure.com path", config: { adoOrganization: "dev.azure.com/acme" }, key: "adoOrganization", message: /is a URL; .*pulumi config set adoOrganization acme$/ },
    { title: "organization given as a full URL", config: { adoOrganization: "https://dev.azure.com/acme/" }, key: "adoOrganization", message: /pulumi config set adoOrganization acme$/ },
    { title: "organization given as an old visualstudio.com URL", config: { adoOrganization: "https://acme.visualstudio.com" }, key: "adoOrganization", message: /pulumi config set adoOrganization acme$/ },
    { title: "organization starting with a hyphen", config: { adoOrganization: "-acme" }, key: "adoOrganization", message: /is not an Azure DevOps organization name/ },
    { title: "organization with a space", config: { adoOrganization: "acme data" }, key: "adoOrganization", message: /letters, digits or hyphens/ },
    { title: "organization over 50 characters", config: { adoOrganization: "a".repeat(51) }, key: "adoOrganization", message: /1-50/ },
    { title: "dbt host over http", config: { dbtCloudHost: "http://cloud.getdbt.com" }, key: "dbtCloudHost", message: /uses http:\/\/; .*https only/ },
    { title: "dbt host with a path", config: { dbtCloudHost: "https://cloud.getdbt.com/api" }, key: "dbtCloudHost", message: /has a path, query or fragment; only the host is used: give cloud\.getdbt\.com\.$/ },
    { title: "dbt URL copied from the browser", config: { dbtCloudHost: "https://ab123.us1.dbt.com/deploy/12/projects/34#top" }, key: "dbtCloudHost", message: /only the host is used: give ab123\.us1\.dbt\.com\.$/ },
    { title: "additional host with a path", config: { dbtCloudAdditionalHosts: '["https://emea.dbt.com/api/v3"]' }, key: "dbtCloudAdditionalHosts", message: /item 0 .*only the host is used: give emea\.dbt\.com\.$/ },
    { title: "dbt host with a query", config: { dbtCloudHost: "emea.dbt.com?x=1" }, key: "dbtCloudHost", message: /has a path, query or fragment/ },
    { title: "host that is not dbt Cloud's", config: { dbtCloudHost: "cloud.getdbt.co" }, key: "dbtCloudHost", message: /is not a dbt Cloud host/ },
    { title: "additional host equal to the primary", config: { dbtCloudAdditionalHosts: '["ab123.us1.dbt.com"]' }, key: "dbtCloudAdditionalHosts", message: /item 0 "ab123\.us1\.dbt\.com" is dbtCloudHost already/ },
    { title: "additional host equal to the primary spelt as a URL", config: { dbtCloudHost: "emea.dbt.com", dbtCloudAdditionalHosts: '["https://EMEA.dbt.com/"]' }, key: "dbtCloudAdditionalHosts", message: /is dbtCloudHost already/ },
    { title: "additional host listed twice", config: { dbtCloudAdditionalHosts: '["ab123.us1.dbt.com","AB123.us1.dbt.com"]' }, key: "dbtCloudAdditionalHosts", message: /item 1 .* is listed twice/ },
    { title: "additional host outside dbt's domains without the opt-in", config: { dbtCloudAdditionalHosts: '["dbt.acme.example"]' }, key: "dbtCloudAdditionalHosts", message: /"dbt\.acme\.example" is not a dbt Cloud host.*pulumi config set dbtCloudCustomDomain true/ },
    { title: "additional host over http", config: { dbtCloudAdditionalHosts: '["http://ab123.us1.dbt.com"]' }, key: "dbtCloudAdditionalHosts", message: /item 0 .*uses http:\/\// },
    { title: "additional hosts not a list", config: { dbtCloudAdditionalHosts: "ab123.us1.dbt.com" }, key: "dbtCloudAdditionalHosts", message: /is not a list of strings; .*--path 'dbtCloudAdditionalHosts\[0\]'/ },
    { title: "missing dbt host", config: { dbtCloudHost: null }, key: "dbtCloudHost", message: /is required .*pulumi config set dbtCloudHost <host> .*Account settings > Access URLs/ },
    { title: "getdbt.com host after dbt's deprecation", config: { dbtCloudHost: "cloud.getdbt.com" }, key: "dbtCloudHost", message: /"cloud\.getdbt\.com" is a getdbt\.com region host.*2026-11-01.*Account settings > Access URLs.*pulumi config set dbtCloudHost <that host>/ },
    { title: "getdbt.com additional host after dbt's deprecation", config: { dbtCloudAdditionalHosts: '["acme.getdbt.com"]' }, key: "dbtCloudAdditionalHosts", message: /item 0 "acme\.getdbt\.com" is a getdbt\.com region host.*pulumi config rm --path 'dbtCloudAdditionalHosts\[0\]'/ },
    { title: "getdbt.com host whose extension has ended", config: { dbtCloudHost: "cloud.getdbt.com", dbtCloudLegacyHostExtendedUntil: "2026-11-15" }, key: "dbtCloudHost", message: /extension .* ended on 2026-11-15 .*pulumi config rm dbtCloudLegacyHostExtendedUntil/ },
    { title: "extension date that is not a date", config: { dbtCloudLegacyHostExtendedUntil: "Feb 2027" }, key: "dbtCloudLegacyHostExtendedUntil", message: /"Feb 2027" is not a date; .*YYYY-MM-DD/ },
    { title: "extension date years ahead", config: { dbtCloudLegacyHostExtendedUntil: "2030-01-01" }, key: "dbtCloudLegacyHostExtendedUntil", message: /more than a year after 2026-11-01; an extension is temporary/ },
    { title: "custom primary host without the opt-in", config: { dbtCloudHost: "dbt.acme.example" }, key: "dbtCloudHost", message: /is not a dbt Cloud host.*dbtCloudCustomDomain true/ },
    { title: "custom domain opt-in as yes", config: { dbtCloudCustomDomain: "yes" }, key: "dbtCloudCustomDomain", message: /is not a boolean/ },
    { title: "existing application id that is not a GUID", config: { existingApplicationObjectId: "dbt Labs Azure DevOps App" }, key: "existingApplicationObjectId", message: /is not an object id .*az ad app list --display-name/ },
    {
        title: "existing application id in braces", config: { existingApplicationObjectId: "{3F0E8A52-1B7C-4D2E-9A41-6C5B7D8E9F01}" }, key: "existingApplicationObjectId",
        message: /"\{3F0E8A52-1B7C-4D2E-9A41-6C5B7D8E9F01\}" has braces around the object id; give it bare: 3f0e8a52-1b7c-4d2e-9a41-6c5b7d8e9f01\. Run: pulumi config set existingApplicationObjectId 3f0e8a52-1b7c-4d2e-9a41-6c5b7d8e9f01$/,
    },
    {
        title: "owner in braces", config: { owners: '["{6f1c2a3b-4d5e-4f60-8a7b-9c0d1e2f3a4b}"]' }, key: "owners",
        message: /item 0 .* has braces around the object id; give it bare: 6f1c2a3b-4d5e-4f60-8a7b-9c0d1e2f3a4b\. Run: pulumi config set --path 'owners\[0\]' 6f1c2a3b-4d5e-4f60-8a7b-9c0d1e2f3a4b$/,
    },
    { title: "existing service principal id that is not a GUID", config: { existingApplicationObjectId: "3f0e8a52-1b7c-4d2e-9a41-6c5b7d8e9f01", existingServicePrincipalObjectId: "sp-1" }, key: "existingServicePrincipalObjectId", message: /is not an object id .*az ad sp list/ },
    { title: "service principal to adopt without its application", config: { existingServicePrincipalObjectId: "3f0e8a52-1b7c-4d2e-9a41-6c5b7d8e9f02" }, key: "existingServicePrincipalObjectId", message: /is set without existingApplicationObjectId/ },
    { title: "auth mode with a hyphen", config: { authMode: "service-principal" }, key: "authMode", message: /"service-principal" is not one of "service_principal", "service_user" \(did you mean "service_principal"\?\)\. Run: pulumi config set authMode service_principal$/ },
    { title: "rotation days as words", config: { secretRotationDays: "ninety" }, key: "secretRotationDays", message: /is not a whole number/ },
    { title: "rotation days fractional", config: { secretRotationDays: "90.5" }, key: "secretRotationDays", message: /is not a whole number/ },
    { title: "rotation days too short", config: { secretRotationDays: "3" }, key: "secretRotationDays", message: /3 is out of range; use a number from 7 to 180/ },
    { title: "rotation days too long", config: { secretRotationDays: "1000" }, key: "secretRotationDays", message: /out of range/ },
    { title: "overlap of zero days", config: { secretOverlapDays: "0" }, key: "secretOverlapDays", message: /out of range; use a number from 1 to 60/ },
    { title: "overlap not shorter than the period", config: { secretRotationDays: "10", secretOverlapDays: "14" }, key: "secretOverlapDays", message: /\(14\) must be less than secretRotationDays \(10\)/ },
    { title: "secrets that would outlive a year", config: { secretRotationDays: "180", secretOverlapDays: "14" }, key: "secretRotationDays", message: /2 x 180 \+ 14 = 374 days, more than 365/ },
    { title: "owner that is not a GUID", config: { owners: '["alice@contoso.com"]' }, key: "owners", message: /item 0 "alice@contoso\.com" is not an object id/ },
    { title: "owners not a list", config: { owners: "6f1c2a3b-4d5e-4f60-8a7b-9c0d1e2f3a4b" }, key: "owners", message: /is not a list of strings; .*--path 'owners\[0\]'/ },
    { title: "owner listed twice", config: { owners: '["6f1c2a3b-4d5e-4f60-8a7b-9c0d1e2f3a4b","6F1C2A3B-4D5E-4F60-8A7B-9C0D1E2F3A4B"]' }, key: "owners", message: /item 1 .* is listed twice/ },
    { title: "blank display name", config: { appDisplayName: "   " }, key: "appDisplayName", message: /is empty/ },
    { title: "admin consent as yes", config: { adminConsent: "yes" }, key: "adminConsent", message: /"yes" is not a boolean; use true or false/ },
    { title: "protection as 1", config: { protectApplication: "1" }, key: "protectApplication", message: /is not a boolean/ },
    { title: "unknown directory mode", config: { connectDirectory: "move" }, key: "connectDirectory", message: /"move" is not one of "verify", "connect"/ },
    { title: "project name with a slash", config: { adoProjects: '["Analytics/Main"]' }, key: "adoProjects", message: /item 0 "Analytics\/Main" is not a project name/ },
    { title: "two projects whose resources would share a name", config: { adoProjects: '["Data Platform","data-platform"]' }, key: "adoProjects", message: /"Data Platform" and "data-platform" would name their resources alike \("data-platform"\)/ },
    { title: "projects in service-user mode", config: { authMode: "service_user", adoProjects: '["Analytics"]' }, key: "adoProjects", message: /applies to service_principal mode only/ },
    { title: "unknown project access", config: { adoProjectAccess: "admin" }, key: "adoProjectAccess", message: /is not one of "least_privilege", "project_administrators"/ },
    { title: "access level by its portal name", config: { adoAccessLevel: "basic" }, key: "adoAccessLevel", message: /"basic" is not one of "stakeholder", "express", "advanced": Basic is "express" in the API's spelling\. Run: pulumi config set adoAccessLevel express$/ },
    { title: "access level Basic + Test Plans", config: { adoAccessLevel: "Basic + Test Plans" }, key: "adoAccessLevel", message: /Basic \+ Test Plans is "advanced" in the API's spelling\. Run: pulumi config set adoAccessLevel advanced$/ },
    { title: "unknown access level", config: { adoAccessLevel: "premium" }, key: "adoAccessLevel", message: /"premium" is not one of "stakeholder", "express", "advanced"\.$/ },
    { title: "dbt account id that is not a number", config: { dbtCloudAccountId: "acme" }, key: "dbtCloudAccountId", message: /"acme" is not a whole number/ },
    { title: "negative dbt account id", config: { dbtCloudAccountId: "-5" }, key: "dbtCloudAccountId", message: /out of range/ },
    { title: "21-digit dbt account id", config: { dbtCloudAccountId: "123456789012345678901" }, key: "dbtCloudAccountId", message: /"123456789012345678901" is too long \(21 digits\) to be a number here; use one from 0 to 9007199254740991\.$/ },
    { title: "misspelt key", config: { adoOrganisation: "acme" }, key: "adoOrganisation", message: /is not a setting of this program \(did you mean adoOrganization\?\)\. Remove it with: pulumi config rm adoOrganisation/ },
    { title: "unrelated key", config: { colour: "blue" }, key: "colour", message: /is not a setting of this program\. Remove it/ },
];

/** The line of a ConfigError message about one key. */
export function problemAbout(message: string, key: string): string | undefined {
    return message.split("\n").find((line) => line.startsWith(`  - dbt-azure-devops:${key} `));
}
