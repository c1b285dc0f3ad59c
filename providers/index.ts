/**
 * Dynamic resources, each with its provider: Azure DevOps and dbt Cloud (no Pulumi provider is
 * usable here), and what @pulumi/azuread does not do over Microsoft Graph (the client secret's
 * handover, the app instance property lock); their REST calls are under each service's api/.
 *
 * Conventions every resource class here follows:
 * - Its output properties are `declare`d (`declare public readonly x: pulumi.Output<T>`): with
 *   ES2022 class fields, a plain field declaration is initialised after `super()` returns and
 *   would reset to undefined what the base constructor set.
 * - Its provider imports single modules, never these index files: Pulumi serializes the provider
 *   with what it captures into state (`__provider`), and a barrel would drag in everything.
 * - Credentials come from the environment inside the provider methods, never from inputs.
 */
export * from "./azuredevops";
export * from "./dbtcloud";
export * from "./entra";
