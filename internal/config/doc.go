// Package config reads apigw-local.yaml, the configuration file of apigw-local: everything about the
// emulated deployment that an OpenAPI definition does not say — which spec files to serve, the API ID,
// region and account used in ARNs and $context, the stages with their variables, throttling, caching and
// access-log settings, how to run the Lambda functions named by integration URIs, API keys, usage plans,
// the account-level throttle, the integration timeout cap, where to find the signing keys of Cognito
// user pools and of JWT issuers, and the AWS access keys that AWS_IAM (SigV4) methods accept.
//
// Every key is optional; Default returns what an empty file means. Key names mirror the names of the
// corresponding API Gateway / Lambda API and CloudFormation properties (rateLimit, burstLimit,
// methodSettings, cacheTtlInSeconds, memorySize, usagePlans[].apiStages, quota.period, ...), so that values
// can be copied from a real deployment.
//
// Parsing walks the YAML node tree, so every problem is reported with its file, line, column and path
// (for example stages.prod.throttling.rateLimit), and parsing never stops at the first problem: Parse and
// Load return a Findings error holding all of them, one per line, each saying what is wrong and what to
// do. Unknown keys are errors (with a did-you-mean suggestion), so that typos surface instead of being
// silently ignored; the one exception is top-level keys starting with "x-", which are ignored so that they
// can hold YAML anchors for reuse with aliases and merge keys ("<<: *defaults"), both of which are
// supported.
//
// A setting whose value is null (nothing after the colon, or ~) is treated as omitted; in string maps
// (variables, env) and in lists a null is an error. Where a string is expected, numbers and booleans are
// taken as written (accountId: 123456789012 is the string "123456789012"), but numbers and booleans are
// never read from strings: "5" is an error where an integer is expected. Durations are Go duration
// strings ("3s", "500ms") or whole numbers of seconds.
//
// Settings that are accepted but not acted on yet do not stop
// the file from loading: Parse reports them as warnings in Config.Warnings.
//
// Parse reads only the configuration file; it never reads the OpenAPI spec and never touches the files the
// configuration names. Config.CheckCommands is the one check that does: it reports function commands whose
// program does not exist or is not executable, resolved as the function runner resolves them. Checks that
// need the spec (for example that a usage plan names the stage
// derived from the spec when the file declares no stages) are left to the caller, who can locate its own
// findings with Config.Position and Config.Findingf.
package config
