"""`k8s-services check <stack>`: offline, everything `pulumi preview --policy-pack
policy --policy-pack-config policy/config/<stack>.json` would refuse or warn about,
in one command for CI: the stack's config checks and the rules (which run when
the program runs, as for `render`), then every policy of the project's policy
pack under the stack's policy config, over every resource the program registers.

Exit status: 0 when no mandatory policy is violated (advisory findings are
shown and do not fail), 1 on a mandatory violation, 2 when the stack cannot be
checked: a config error (the stack file, the program's checks, the policy
config), a program that raises or exits, or a policy pack that cannot be
loaded (one that PolicyPack would refuse included).

How the engine is reproduced:

- The pack is the directory ``--policy-pack`` names (default
  ``<project>/policy``). Its ``__main__.py`` runs as the Pulumi CLI runs it,
  with the pack's directory as working directory and first on ``sys.path``,
  except that ``pulumi_policy.PolicyPack`` is replaced by a recorder: the real
  one starts a gRPC server and never returns. The pack runs in this
  interpreter, with this virtualenv's pulumi-policy and k8s_rules, not in the
  pack's own ``venv``.
- The config is ``--policy-config`` (default ``<pack>/config/<stack>.json``,
  the file the README passes to ``--policy-pack-config``), read and reconciled
  as the CLI does (pulumi/pulumi ``pkg/resource/analyzer/config.go``): each
  policy's schema defaults, then the pack's ``initial_config``, then the file;
  ``"all": "<level>"`` sets every policy's level; a value is a level or an
  object (``enforcementLevel`` plus properties); each policy's resulting
  properties are validated against its config schema. As in pulumi-policy's
  analyzer, a ``disabled`` policy does not run and a ``remediate`` one reports
  as mandatory.
- Resources are what the program registers under the mock kit (components
  included, as the engine sends them), in registration order, with props in
  the engine's form: camelCase, every number a float, wrapped in
  ``unknown_checking_proxy``. Offline a secret value is the placeholder
  ``"[secret]"``; it is passed as a value unknown at preview, which the
  policies skip, since what it stands for cannot be read here. A policy that
  reads an unknown value anyway is reported as an advisory finding, as the
  analyzer reports it ("can't run policy ... during preview").

Output (``--format``):

- ``text``: one line per finding, ``[<level>] <policy> (<resource type>
  <resource name>): <message>`` (``(stack)`` for a stack policy's finding
  that names no resource; line breaks in a name or a message shown as
  ``\\n``), then a summary line (line breaks in the stack name or a path
  shown likewise). Config errors go to stderr as ``error: <message>``.
- ``json``: one object (schema below), also on a config error.
- ``github``: one GitHub Actions workflow command per finding, ``::error`` for
  mandatory and ``::warning`` for advisory, pointing at the stack file; a
  config error as an ``::error`` pointing at the file at fault; then the text
  summary line. GitHub turns them into annotations on the run and the pull
  request.

stdout carries the report alone: what the program, the pack or a policy
prints goes to stderr. A byte of a stack name or path that is not UTF-8 is
shown as its escape (``\\udcff``), so the output is UTF-8 (and valid JSON).

Findings come mandatory first, then by the policy's place in the pack, then
by the resource's registration order (a stack policy's finding that names no
resource after those that do).

JSON schema (``schemaVersion`` 1; paths relative to the working directory
when inside it)::

    {
      "schemaVersion": 1,
      "stack": "dev",
      "stackFile": "stacks/Pulumi.dev.yaml",
      "policyPack": "k8s-services",           // null if it was not loaded
      "policyConfig": "policy/config/dev.json",
      "findings": [
        {"policy": "bare-pod", "level": "advisory",      // or "mandatory"
         "resource": {"type": "kubernetes:core/v1:Pod", "name": "products"},  // null: the stack
         "message": "Pod 'shop/products' ..."}
      ],
      "counts": {"mandatory": 0, "advisory": 30},
      "errors": [{"file": "stacks/Pulumi.dev.yaml", "message": "..."}],
      "exitStatus": 0
    }
"""

from __future__ import annotations

import asyncio
import contextlib
import difflib
import functools
import inspect
import json
import os
import re
import runpy
import stat
import sys
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from components._manifests import SECRET_PLACEHOLDER

from ._outdir import _read_at_most
from .render import ProgramFailed, Project, RenderError, run_stack, working_in

MANDATORY = "mandatory"
ADVISORY = "advisory"
LEVELS = ("advisory", "mandatory", "remediate", "disabled")
"""The enforcement levels the Pulumi CLI accepts in a policy config."""
SCHEMA_VERSION = 1
MAX_CONFIG_BYTES = 1 << 20


class CheckError(Exception):
    """The stack cannot be checked (exit status 2); ``file`` is the file at fault."""

    def __init__(self, message: str, file: Path | None = None) -> None:
        super().__init__(message)
        self.file = file


@dataclass(frozen=True)
class Finding:
    """One violation a policy reports."""

    policy: str
    level: str
    """``mandatory`` or ``advisory``: the level the policy runs at under the config."""
    resource_type: str | None
    """The Pulumi type token of the resource; None for a stack policy's finding naming none."""
    resource_name: str | None
    message: str


@dataclass
class Report:
    """What `check` found, or why it could not check."""

    stack: str
    stack_file: Path | None = None
    policy_config: Path | None = None
    pack_name: str | None = None
    findings: list[Finding] = field(default_factory=list)
    errors: list[CheckError] = field(default_factory=list)

    def count(self, level: str) -> int:
        return sum(1 for finding in self.findings if finding.level == level)

    @property
    def exit_status(self) -> int:
        if self.errors:
            return 2
        return 1 if self.count(MANDATORY) else 0


# --- the policy pack ------------------------------------------------------------------


@dataclass(frozen=True)
class Pack:
    """What the pack's ``__main__.py`` passed to ``PolicyPack``."""

    name: str
    policies: list[Any]
    enforcement_level: str
    initial_config: Mapping[str, Any]


def _import_pulumi_policy() -> Any:
    try:
        import pulumi_policy
    except ImportError:
        raise CheckError(
            "check runs the policy pack and needs pulumi-policy in this virtualenv:"
            " pip install -r requirements-dev.txt (or pip install pulumi-policy)."
        ) from None
    return pulumi_policy


@contextlib.contextmanager
def _pack_environment(directory: Path) -> Iterator[None]:
    """Run with the pack's directory as working directory and first on
    sys.path, as the Pulumi CLI runs a pack; the pack's own modules (its
    ``rules.py``, say) are imported afresh and forgotten afterwards, so that
    another pack's modules of the same name never stand in for them."""
    own = {
        entry.stem for entry in directory.iterdir() if entry.suffix == ".py" or (entry / "__init__.py").is_file()
    } - {"__main__"}  # runpy swaps __main__ itself

    def ours(name: str) -> bool:
        return name.partition(".")[0] in own

    saved = {name: module for name, module in sys.modules.items() if ours(name)}
    for name in saved:
        del sys.modules[name]
    try:
        with working_in(directory):
            yield
    finally:
        for name in [name for name in sys.modules if ours(name)]:
            del sys.modules[name]
        sys.modules.update(saved)


def load_pack(directory: Path) -> Pack:
    """Run the pack's ``__main__.py`` with ``PolicyPack`` recorded, not started."""
    pulumi_policy = _import_pulumi_policy()
    main = directory / "__main__.py"
    try:
        found = main.is_file()
    except OSError as error:  # ENAMETOOLONG, EACCES on the way: Path.is_file raises those
        raise CheckError(
            f"{directory}: cannot look for a policy pack there: {error.strerror or error}.", main
        ) from None
    if not found:
        raise CheckError(f"{directory}: no policy pack here (no __main__.py); pass --policy-pack.", main)
    packs: list[Pack] = []

    def recorder(
        name: str,
        policies: list[Any],
        enforcement_level: Any = None,
        initial_config: Mapping[str, Any] | None = None,
        **_: Any,
    ) -> None:
        _check_pack_arguments(pulumi_policy, name, policies, enforcement_level, initial_config)
        level = enforcement_level.value if enforcement_level is not None else ADVISORY
        packs.append(Pack(name, list(policies), level, dict(initial_config or {})))

    # Where the pack may import it from: the package, and the module that
    # defines it (``from pulumi_policy.policy import PolicyPack`` would
    # otherwise start the server, print its port and never return).
    from pulumi_policy import policy as policy_module

    modules: tuple[Any, ...] = (pulumi_policy, policy_module)
    real = [module.PolicyPack for module in modules]
    for module in modules:
        module.PolicyPack = recorder
    path = main.resolve()
    try:
        with _pack_environment(path.parent):
            runpy.run_path(str(path), run_name="__main__")
    except (Exception, SystemExit) as error:
        raise CheckError(f"{main}: the policy pack failed to load: {type(error).__name__}: {error}", main) from None
    finally:
        for module, original in zip(modules, real, strict=True):
            module.PolicyPack = original
    if len(packs) != 1:
        raise CheckError(f"{main}: must build exactly one PolicyPack, built {len(packs)}.", main)
    return packs[0]


# As pulumi-policy's PolicyPack checks them (pulumi_policy/policy.py, 1.21); the
# real one refuses a pack the recorder must refuse too: the name is printed,
# and each policy is run.
_PACK_NAME = re.compile(r"[a-zA-Z0-9_.-]{1,100}")


def _check_pack_arguments(
    pulumi_policy: Any, name: Any, policies: Any, enforcement_level: Any, initial_config: Any
) -> None:
    """Raise TypeError, with PolicyPack's messages, where PolicyPack would."""
    if not name:
        raise TypeError("Missing name argument")
    if not isinstance(name, str):
        raise TypeError("Expected name to be a string")
    if _PACK_NAME.fullmatch(name) is None:
        raise TypeError(
            f"Invalid policy pack name {name!r}. Policy pack names may only contain alphanumerics, hyphens,"
            " underscores, or periods."
        )
    if not policies:
        raise TypeError("Missing policies argument")
    if not isinstance(policies, list):
        raise TypeError("Expected policies to be a list of policies")
    if not all(isinstance(policy, pulumi_policy.Policy) for policy in policies):
        raise TypeError("Expected each policy in policies to be a Policy")
    if enforcement_level is not None and not isinstance(enforcement_level, pulumi_policy.EnforcementLevel):
        raise TypeError("Expected enforcement_level to be an EnforcementLevel")
    if initial_config is not None:
        if not isinstance(initial_config, dict):
            raise TypeError("Expected initial_config to be a dict")
        for key, value in initial_config.items():
            if not isinstance(key, str):
                raise TypeError("Expected initial_config key to be a string")
            if not isinstance(value, pulumi_policy.EnforcementLevel | dict):
                raise TypeError(f"Expected initial_config[{key!r}] to be an EnforcementLevel or dict")


# --- the policy config ------------------------------------------------------------------


@dataclass(frozen=True)
class PolicySettings:
    """How one policy runs: its level and its config properties."""

    level: str
    config: dict[str, Any]


def read_policy_config(path: Path) -> dict[str, tuple[str | None, dict[str, Any]]]:
    """The policy config file, parsed as the Pulumi CLI parses it: policy name
    to (level or None, properties). An empty file is no config."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    except FileNotFoundError:
        raise CheckError(
            f"{path}: no such policy config; create it (`{{}}` runs every policy at its own level) or pass"
            " --policy-config.",
            path,
        ) from None
    except OSError as error:
        raise CheckError(f"{path}: cannot open it: {error.strerror or error}.", path) from None
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise CheckError(f"{path}: is not a regular file.", path)
        data = _read_at_most(fd, MAX_CONFIG_BYTES + 1)
    except OSError as error:
        raise CheckError(f"{path}: cannot read it: {error.strerror or error}.", path) from None
    finally:
        os.close(fd)
    if len(data) > MAX_CONFIG_BYTES:
        raise CheckError(f"{path}: is larger than {MAX_CONFIG_BYTES} bytes; a policy config is small JSON.", path)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise CheckError(f"{path}: is not UTF-8 text.", path) from None
    if not text.strip():
        return {}
    try:
        document = json.loads(text, parse_int=_json_int, parse_constant=_json_constant)
    except RecursionError:
        raise CheckError(
            f"{path}: nests arrays or objects too deeply to read; a policy config is small JSON.", path
        ) from None
    except ValueError as error:  # json.JSONDecodeError, and what _json_int and _json_constant raise
        raise CheckError(f"{path}: is not valid JSON: {error}.", path) from None
    if not isinstance(document, dict):
        raise CheckError(f"{path}: must be a JSON object of policy names, not {_json_type(document)}.", path)
    parsed: dict[str, tuple[str | None, dict[str, Any]]] = {}
    for name, value in document.items():
        if isinstance(value, str):
            parsed[name] = (_level(path, name, value), {})
        elif isinstance(value, dict):
            properties = dict(value)
            level = properties.pop("enforcementLevel", None)
            if level is not None and not isinstance(level, str):
                raise CheckError(f'{path}: "{name}".enforcementLevel must be a string, not {_json_type(level)}.', path)
            parsed[name] = (None if level is None else _level(path, name, level), properties)
        else:
            raise CheckError(
                f'{path}: "{name}" must be an enforcement level or an object, not {_json_type(value)}.', path
            )
    return parsed


# The Pulumi CLI reads a number into a float64 (Go's encoding/json): one of
# more digits than that holds is out of range there, and Python's int() of
# more than 4300 digits raises.
_MAX_INT_DIGITS = 400


def _json_int(text: str) -> int:
    if len(text) > _MAX_INT_DIGITS:
        raise ValueError(f"a number of {len(text)} digits is out of range")
    return int(text)


def _json_constant(text: str) -> Any:
    # Python's json accepts NaN and Infinity; JSON, and the Pulumi CLI, do not.
    raise ValueError(f"{text} is not a JSON value")


def _suggestion(name: str, settings: Mapping[str, Any]) -> str:
    close = difflib.get_close_matches(name, list(settings), n=1)
    return f' (did you mean "{close[0]}"?)' if close else ""


def _level(path: Path, name: str, value: str) -> str:
    if value not in LEVELS:
        raise CheckError(f'{path}: "{name}": "{value}" is not an enforcement level ({", ".join(LEVELS)}).', path)
    return value


def _json_type(value: Any) -> str:
    for kind, name in ((bool, "a boolean"), (str, "a string"), (int, "a number"), (float, "a number")):
        if isinstance(value, kind):
            return name
    if isinstance(value, list):
        return "an array"
    return "null" if value is None else "an object"


def policy_settings(
    pack: Pack, given: Mapping[str, tuple[str | None, dict[str, Any]]], path: Path | None = None
) -> dict[str, PolicySettings]:
    """Each policy's level and config, reconciled as the Pulumi CLI does:
    schema defaults, the pack's initial config, then ``given``; validated
    against each policy's config schema."""
    import fastjsonschema

    initial: dict[str, tuple[str | None, dict[str, Any]]] = {}
    for name, value in pack.initial_config.items():
        if isinstance(value, Mapping):
            properties = dict(value)
            level = properties.pop("enforcementLevel", None)
            initial[name] = (getattr(level, "value", level), properties)
        else:
            initial[name] = (getattr(value, "value", value), {})
    settings: dict[str, PolicySettings] = {}
    for policy in pack.policies:
        schema = policy.config_schema
        defaults = {}
        if schema is not None:
            defaults = {key: spec["default"] for key, spec in schema.properties.items() if "default" in spec}
        level = policy.enforcement_level.value if policy.enforcement_level is not None else pack.enforcement_level
        settings[policy.name] = PolicySettings(level, defaults)
    unknown = sorted(name for name in given if name != "all" and name not in settings)
    if unknown:
        # The Pulumi CLI ignores them; here a misspelt name is an error, as it
        # would otherwise silently leave the policy it meant at its default.
        names = ", ".join(f'"{name}"{_suggestion(name, settings)}' for name in unknown)
        where = f"{path}: " if path is not None else ""
        raise CheckError(f"{where}no policy of the pack {pack.name} is named {names}.", path)
    for layer in (initial, given):
        everyone = layer.get("all", (None, {}))[0]
        if everyone is not None:
            settings = {name: PolicySettings(everyone, current.config) for name, current in settings.items()}
        for name, (level, properties) in layer.items():
            if name in settings:
                current = settings[name]
                settings[name] = PolicySettings(level or current.level, {**current.config, **properties})
    problems = []
    for policy in pack.policies:
        schema = policy.config_schema
        if schema is None:
            continue
        definition: dict[str, Any] = {"type": "object"}
        if schema.properties:
            definition["properties"] = schema.properties
        if schema.required:
            definition["required"] = list(schema.required)
        try:
            validate = fastjsonschema.compile(definition, use_default=False)
        except fastjsonschema.JsonSchemaDefinitionException as error:
            raise CheckError(
                f"policy '{policy.name}' of the pack {pack.name} has a config schema that is not valid JSON schema:"
                f" {error}."
            ) from None
        try:
            validate(settings[policy.name].config)
        except fastjsonschema.JsonSchemaValueException as error:
            problems.append(f"  {policy.name}: {str(error.message).replace('data', 'config', 1)}")
    if problems:
        where = f"{path}: " if path is not None else ""
        raise CheckError(
            f"{where}the policy config does not match the pack's config schemas:\n" + "\n".join(problems), path
        )
    return settings


# --- running the policies -------------------------------------------------------------------


@dataclass(frozen=True)
class Resource:
    """One registered resource, as the policies get it."""

    type: str
    name: str
    urn: str
    props: Any
    """Wire form: numbers as floats, secrets as unknown values (not yet proxied)."""


def wire(value: Any) -> Any:
    """Props as the engine sends them: every number a float; a secret
    placeholder as a value unknown at preview."""
    from pulumi_policy.proxy import UNKNOWN_STRING_VALUE

    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        return float(value)
    if value == SECRET_PLACEHOLDER:
        return UNKNOWN_STRING_VALUE
    if isinstance(value, Mapping):
        return {key: wire(item) for key, item in value.items()}
    if isinstance(value, list):
        return [wire(item) for item in value]
    return value


def _options() -> Any:
    from pulumi_policy import PolicyCustomTimeouts, PolicyResourceOptions

    return PolicyResourceOptions(False, [], None, [], PolicyCustomTimeouts(0, 0, 0), [])


def _settle(result: Any) -> None:
    """Await what an async policy returns, as the analyzer does."""
    if inspect.isawaitable(result):
        loop = asyncio.new_event_loop()
        try:
            loop.run_until_complete(result)
        finally:
            loop.close()


def run_policies(pack: Pack, settings: Mapping[str, PolicySettings], resources: Sequence[Resource]) -> list[Finding]:
    """Every enabled policy of ``pack`` over ``resources``: resource policies
    on each resource, stack policies on all of them. Sorted: mandatory first,
    then by the policy's place in the pack, then by the resource's place."""
    from pulumi_policy import (
        PolicyResource,
        ResourceValidationArgs,
        ResourceValidationPolicy,
        StackValidationArgs,
        StackValidationPolicy,
    )
    from pulumi_policy.proxy import UnknownValueError, unknown_checking_proxy

    not_applicable = _not_applicable_error()
    by_urn = {resource.urn: resource for resource in resources}
    findings: list[Finding] = []

    def run(policy: Any, level: str, resource: Resource | None, validate: Any) -> None:
        def report(message: str, urn: str | None = None) -> None:
            # As pulumi-policy's reportViolation checks them.
            if message and not isinstance(message, str):
                raise TypeError("Expected message to be a string")
            if urn is not None and not isinstance(urn, str):
                raise TypeError("Expected urn to be a string")
            target = resource if resource is not None else by_urn.get(urn or "")
            findings.append(_finding(policy.name, level, target, message or policy.description))

        try:
            _settle(validate(report))
        except UnknownValueError as error:
            message = f"can't run policy '{policy.name}' from policy pack '{pack.name}' during preview: {error.message}"
            findings.append(_finding(policy.name, ADVISORY, resource, message))
        except not_applicable:
            pass
        except Exception as error:
            on = "" if resource is None else f" on {resource.type} {resource.name}"
            raise CheckError(f"policy '{policy.name}' failed{on}: {type(error).__name__}: {error}") from None

    for policy in pack.policies:
        setting = settings[policy.name]
        if setting.level == "disabled" or not getattr(policy, "has_validation", lambda: True)():
            continue
        level = ADVISORY if setting.level == ADVISORY else MANDATORY  # remediate reports as mandatory
        if isinstance(policy, ResourceValidationPolicy):
            for resource in resources:
                args = ResourceValidationArgs(
                    resource.type,
                    unknown_checking_proxy(resource.props),
                    resource.urn,
                    resource.name,
                    _options(),
                    None,
                    config=setting.config,
                )
                run(policy, level, resource, functools.partial(policy.validate, args))
        elif isinstance(policy, StackValidationPolicy):
            stack = [
                PolicyResource(r.type, unknown_checking_proxy(r.props), r.urn, r.name, _options(), None, None, [], {})
                for r in resources
            ]
            stack_args = StackValidationArgs(stack, config=setting.config)
            run(policy, level, None, functools.partial(policy.validate, stack_args))
    order = {policy.name: index for index, policy in enumerate(pack.policies)}
    position: dict[tuple[str | None, str | None], int] = {
        (resource.type, resource.name): index for index, resource in enumerate(resources)
    }
    return sorted(
        findings,
        key=lambda f: (
            f.level != MANDATORY,
            order[f.policy],
            position.get((f.resource_type, f.resource_name), len(resources)),
        ),
    )


def _finding(policy: str, level: str, resource: Resource | None, message: str) -> Finding:
    if resource is None:
        return Finding(policy, level, None, None, message)
    return Finding(policy, level, resource.type, resource.name, message)


def _not_applicable_error() -> type[BaseException]:
    """What ``args.not_applicable()`` raises (pulumi-policy 1.21; private, so looked up)."""
    from pulumi_policy import policy as policy_module

    found = getattr(policy_module, "_NotApplicableError", None)
    if isinstance(found, type) and issubclass(found, BaseException):
        return found

    class _Never(Exception):
        pass

    return _Never


# --- the command -----------------------------------------------------------------------------


def check(
    directory: Path,
    stack: str,
    *,
    policy_pack: Path | None = None,
    policy_config: Path | None = None,
) -> Report:
    """Check ``stack`` of the project in ``directory``: never raises for what
    the user can fix; the report's errors say what could not be checked."""
    report = Report(stack)
    try:
        project = Project.load(directory.resolve())
    except RenderError as error:
        report.errors.append(CheckError(str(error), directory / "Pulumi.yaml"))
        return report
    except OSError as error:  # a path too long to look at, say: Path.is_file raises that
        report.errors.append(_unreadable(directory / "Pulumi.yaml", error))
        return report
    report.stack_file = project.stack_config_dir / f"Pulumi.{stack}.yaml"
    try:
        project.stack_config(stack)  # a missing or malformed stack file first, before the pack's config
    except RenderError as error:
        report.errors.append(CheckError(str(error), report.stack_file))
        return report
    except OSError as error:
        report.errors.append(_unreadable(report.stack_file, error))
        return report
    pack_dir = policy_pack if policy_pack is not None else directory / "policy"
    report.policy_config = policy_config if policy_config is not None else pack_dir / "config" / f"{stack}.json"
    try:
        pack = load_pack(pack_dir)
        report.pack_name = pack.name
        settings = policy_settings(pack, read_policy_config(report.policy_config), report.policy_config)
        mocks = run_stack(directory, stack)  # a program that raises or exits is a RenderError
    except CheckError as error:
        if error.file is None and report.pack_name is not None:
            error.file = pack_dir  # the pack's own: a policy's config schema
        report.errors.append(error)
        return report
    except ProgramFailed as error:
        message = f"{display(error.main)}: the program failed: {error.reason}"
        report.errors.append(CheckError(message, error.main))
        return report
    except RenderError as error:
        report.errors.append(CheckError(str(error), report.stack_file))
        return report
    resources = [
        Resource(r.type, r.name, f"urn:pulumi:{stack}::{project.name}::{r.type}::{r.name}", wire(r.inputs))
        for r in mocks.resources
    ]
    try:
        report.findings = run_policies(pack, settings, resources)
    except CheckError as error:
        error.file = pack_dir
        report.errors.append(error)
    return report


def _unreadable(path: Path, error: OSError) -> CheckError:
    return CheckError(f"{path}: cannot read it: {error.strerror or error}.", path)


def display(path: Path | None) -> str | None:
    """A path as output shows it: relative to the working directory when
    inside it (GitHub resolves an annotation's file from the repository root,
    where CI runs the command), else as given."""
    if path is None:
        return None
    try:
        return path.resolve().relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        return str(path)


def _resource(finding: Finding) -> str:
    if finding.resource_type is None:
        return "stack"
    return f"{finding.resource_type} {finding.resource_name}"


def _one_line(text: str) -> str:
    return text.replace("\r", "\\r").replace("\n", "\\n")


def summary(report: Report) -> str:
    """One line: what the stack name or a path holds cannot break it, so
    that nothing in them starts a workflow command in ``github`` output."""
    mandatory, advisory = report.count(MANDATORY), report.count(ADVISORY)
    if report.errors:
        line = f"stack {report.stack}: not checked: {len(report.errors)} error{'s' * (len(report.errors) != 1)}."
    else:
        line = (
            f"stack {report.stack}: {mandatory} mandatory violation{'s' * (mandatory != 1)}, {advisory} advisory"
            f" finding{'s' * (advisory != 1)} (policy pack {report.pack_name}, config {display(report.policy_config)})."
        )
    return _one_line(line) + "\n"


def format_text(report: Report) -> str:
    lines = [
        _one_line(f"[{finding.level}] {finding.policy} ({_resource(finding)}): {finding.message}") + "\n"
        for finding in report.findings
    ]
    return "".join(lines) + summary(report)


def format_json(report: Report) -> str:
    document = {
        "schemaVersion": SCHEMA_VERSION,
        "stack": report.stack,
        "stackFile": display(report.stack_file),
        "policyPack": report.pack_name,
        "policyConfig": display(report.policy_config),
        "findings": [
            {
                "policy": finding.policy,
                "level": finding.level,
                "resource": None
                if finding.resource_type is None
                else {"type": finding.resource_type, "name": finding.resource_name},
                "message": finding.message,
            }
            for finding in report.findings
        ],
        "counts": {MANDATORY: report.count(MANDATORY), ADVISORY: report.count(ADVISORY)},
        "errors": [{"file": display(error.file), "message": str(error)} for error in report.errors],
        "exitStatus": report.exit_status,
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


# GitHub Actions workflow commands, `::error file={name},title={title}::{message}`
# (https://docs.github.com/en/actions/reference/workflow-commands-for-github-actions).
# The docs do not spell out the escaping; the runner's reference is the toolkit
# that writes these commands, actions/toolkit packages/core/src/command.ts:
# `escapeData` for the message (% \r \n) and `escapeProperty` for property
# values (those and : ,). Escaping also keeps a message on one line, so nothing
# in a resource name or a message can start a workflow command of its own.


def escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def annotation(command: str, message: str, *, file: str | None, title: str) -> str:
    properties = [] if file is None else [f"file={escape_property(file)}"]
    properties.append(f"title={escape_property(title)}")
    return f"::{command} {','.join(properties)}::{escape_data(message)}\n"


def format_github(report: Report) -> str:
    stack_file = display(report.stack_file)
    lines = [
        annotation(
            "error" if finding.level == MANDATORY else "warning",
            f"{finding.policy} ({_resource(finding)}): {finding.message}",
            file=stack_file,
            title=f"{finding.level} policy {finding.policy}",
        )
        for finding in report.findings
    ]
    lines += [
        annotation("error", str(error), file=display(error.file), title=f"stack {report.stack} not checked")
        for error in report.errors
    ]
    return "".join(lines) + summary(report)


def main(
    stack: str,
    directory: Path,
    *,
    policy_pack: Path | None = None,
    policy_config: Path | None = None,
    output_format: str = "text",
    stdout: IO[str] | None = None,
    stderr: IO[str] | None = None,
) -> int:
    """`k8s-services check`: print the report in ``output_format``; the exit status."""
    stdout = stdout or sys.stdout
    stderr = stderr or sys.stderr
    # The format is what the command line says, never guessed from
    # GITHUB_ACTIONS: a CI step that pipes `--format json` into a tool must get
    # JSON, and the same command prints the same thing locally and in CI.
    # What the program, the pack or a policy prints goes to stderr: stdout
    # carries the report alone, so that `--format json` stays JSON.
    with contextlib.redirect_stdout(stderr):
        report = check(directory, stack, policy_pack=policy_pack, policy_config=policy_config)
    if output_format == "json":
        stdout.write(_printable(format_json(report)))
    elif output_format == "github":
        stdout.write(_printable(format_github(report)))
    else:
        for error in report.errors:
            stderr.write(f"error: {error}\n")
        stdout.write(_printable(format_text(report)))
    return report.exit_status


_SURROGATE = re.compile("[\ud800-\udfff]")


def _printable(text: str) -> str:
    """``text`` with each lone surrogate (a byte of a stack name or path that
    is not UTF-8, as Python decodes it) as its ``\\udcff`` escape: UTF-8
    output, and in JSON the same string back."""
    return _SURROGATE.sub(lambda match: f"\\u{ord(match.group()):04x}", text)
