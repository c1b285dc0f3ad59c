/** dbt Cloud's Azure AD application record, as the secret handover writes it; its REST calls are in ./api. */
export * from "./record";
