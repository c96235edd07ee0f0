"""moto server with four corrections to its CloudFormation emulation (moto 5.2), for
lakecat's stack tests (crates/aws/tests/stacks_moto.rs). Each makes moto take a shape AWS
documents, or report what AWS reports; none creates a resource moto would not create.

1. AWS::KMS::Key `Tags` are `[{Key, Value}]` in CloudFormation; moto hands them to KMS's
   `CreateKey`, which takes `[{TagKey, TagValue}]`, and fails with KeyError('TagKey').
2. AWS::KMS::Key `KeyPolicy` is a JSON object in CloudFormation; moto keeps the object where
   its KMS keeps a policy document's text, and every later KMS call on the key fails (500).
3. AWS::SSM::Parameter `Tags` are a `{key: value}` map in CloudFormation; moto reads a list
   and fails with a TypeError.
4. A stack created or updated through a change set keeps the outputs of its previous
   template (none for a new stack): moto re-reads outputs only in UpdateStack.

Run with the Python of moto's virtualenv: `python cloudformation_fixes.py -H 127.0.0.1 -p N`.
"""

import json
import sys

import moto.cloudformation.models as cloudformation
import moto.kms.models as kms
import moto.ssm.models as ssm
from moto.server import main


def _fix_create(model, fix):
    original = model.create_from_cloudformation_json.__func__

    def create(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs):
        fix(cloudformation_json.get("Properties", {}))
        return original(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs)

    model.create_from_cloudformation_json = classmethod(create)


def _kms_key(properties):
    properties["Tags"] = [
        {"TagKey": t["Key"], "TagValue": t["Value"]} for t in properties.get("Tags", [])
    ]
    if isinstance(properties.get("KeyPolicy"), dict):
        properties["KeyPolicy"] = json.dumps(properties["KeyPolicy"])


def _ssm_tags(properties):
    tags = properties.get("Tags")
    if isinstance(tags, dict):
        properties["Tags"] = [{"Key": k, "Value": v} for k, v in tags.items()]


_fix_create(kms.Key, _kms_key)
_fix_create(ssm.Parameter, _ssm_tags)

_execute = cloudformation.CloudFormationBackend.execute_change_set


def _execute_change_set(self, change_set_name, stack_name=None):
    _execute(self, change_set_name, stack_name)
    change_set = self.change_sets.get(change_set_name) or next(
        c for c in self.change_sets.values() if c.change_set_name == change_set_name
    )
    stack = self.stacks[change_set.stack_id]
    stack._parse_template()
    stack.output_map = stack._create_output_map()


cloudformation.CloudFormationBackend.execute_change_set = _execute_change_set

if __name__ == "__main__":
    main(sys.argv[1:])
