'use strict';

// Fixed-response Lambda proxy handler: the Node counterpart of the Go handler
// behind apigw-local's AWS_PROXY route in the issue 14 comparison.
module.exports.fixed = async () => ({
  statusCode: 200,
  headers: { 'Content-Type': 'application/json' },
  body: '{"ok":true}',
});
