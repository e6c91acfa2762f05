"""The k8s-services policy pack: `pulumi preview --policy-pack policy`.

Only builds the pack; the policies live in rules.py (the rules themselves in
k8s_rules), where tests import them (constructing PolicyPack starts a server
that never returns).
"""

from pulumi_policy import PolicyPack
from rules import PACK_NAME, POLICIES

PolicyPack(name=PACK_NAME, policies=POLICIES)
