"""Objects against the strict Kubernetes OpenAPI schemas kubernetes-validate ships:
wrong types, unknown fields, missing required fields, a wrong apiVersion or kind.

fastjsonschema code, generated once per kind and cached on disk, gives the
verdict; an object it refuses is walked here to name every problem.
"""

from __future__ import annotations

import difflib
import importlib.util
import json
import marshal
import os
import re
import sys
import tempfile
import threading
import types
from collections.abc import Callable, Mapping
from typing import Any, Final

from ._enums import apply_enums, enum_source
from ._problem import NO_VALUE, UNKNOWN, Path, Problem, show

__all__ = ["LATEST", "OLDEST_SUPPORTED", "check_schema"]

RULE: Final = "schema"
OLDEST_SUPPORTED: Final = "1.29"
MAX_PROBLEMS: Final = 20
"""Problems reported per object at most: past that, more are noise."""

# Part of every cache file's name: bump it whenever the code generated from a
# schema changes (what `_clean` keeps, the fastjsonschema options), so no
# process runs code an older version of this module wrote.
_CACHE_FORMAT: Final = 3

Validator = Callable[[Any], Any]

# --- the schemas kubernetes-validate ships -----------------------------------

# Located without importing the package: its import pulls in jsonschema and
# referencing (about 0.25 s), and only its data files are needed.
_spec = importlib.util.find_spec("kubernetes_validate")
if _spec is None or not _spec.submodule_search_locations:
    raise ImportError("k8s_rules.schema needs the kubernetes-validate package (pip install kubernetes-validate)")
_PACKAGE_DIR: Final = list(_spec.submodule_search_locations)[0]
_SCHEMA_ROOT: Final = os.path.join(_PACKAGE_DIR, "kubernetes-json-schema")


def _version_key(version: str) -> tuple[int, int]:
    major, minor = version.split(".")[:2]
    return int(major), int(minor)


def _shipped_versions() -> list[str]:
    found = []
    for entry in os.listdir(_SCHEMA_ROOT):
        match = re.fullmatch(r"v(\d+)\.(\d+)\.0-local-strict", entry)
        if match:
            found.append(f"{match[1]}.{match[2]}")
    return sorted(found, key=_version_key)


def _package_version() -> str:
    """kubernetes-validate's version, read from its file (importlib.metadata takes ~70 ms)."""
    try:
        with open(os.path.join(_PACKAGE_DIR, "version.py"), encoding="utf-8") as file:
            match = re.search(r"""__version__\s*=\s*['"]([^'"]+)['"]""", file.read())
        if match:
            return match[1]
    except OSError:
        pass
    from importlib.metadata import version

    return version("kubernetes-validate")


_VERSIONS: Final = _shipped_versions()
if not _VERSIONS:
    raise ImportError(f"kubernetes-validate ships no strict schemas under {_SCHEMA_ROOT}")
LATEST: Final[str] = _VERSIONS[-1]
"""The newest Kubernetes version whose schemas kubernetes-validate ships."""
_KV_VERSION: Final = _package_version()


def _schema_version(version: str) -> str:
    """``"1.30"``, ``"v1.30"`` or ``"1.30.2"`` as the schema version to use."""
    match = re.fullmatch(r"v?(\d+)\.(\d+)(?:\.\d+)?", version.strip())
    if match:
        wanted = f"{int(match[1])}.{int(match[2])}"
        if wanted in _VERSIONS:
            return wanted
    raise ValueError(
        f"Kubernetes {version!r} has no schemas in kubernetes-validate {_KV_VERSION}:"
        f" it ships {_VERSIONS[0]} to {LATEST}"
    )


def _file_name(api_version: str, kind: str) -> str | None:
    """The schema file of an apiVersion and kind, named as kubernetes_validate
    names it (``networking.k8s.io/v1`` NetworkPolicy: ``networkpolicy-networking-v1.json``)."""
    group_version = re.sub(r"^([^./]*)(?:\.[^/]*)?/", r"\1-", api_version)
    name = f"{kind.lower()}-{group_version}.json"
    # The name becomes a path: nothing from the object may leave the directory.
    return name if re.fullmatch(r"[a-z0-9][a-z0-9.-]*\.json", name) else None


def _clean(node: Any, strict: bool) -> dict[str, Any]:
    """A schema node with only what validation reads.

    The files' ``$ref``s become the bare definition name. Descriptions,
    ``format`` (kubernetes_validate asserts no format either), ``$schema``
    and ``$id`` (fastjsonschema would try to fetch them) and the ``x-``
    annotations are dropped. Not strict: unknown fields are allowed. Property
    maps are copied by name, so a property called ``$ref`` (JSONSchemaProps
    has one) stays a property.
    """
    if not isinstance(node, dict):
        return {}
    ref = node.get("$ref")
    if isinstance(ref, str):
        # Siblings of $ref in these files are annotations only.
        return {"$ref": ref.rpartition("/")[2]}
    out: dict[str, Any] = {}
    for key in ("type", "enum", "required"):
        if key in node:
            out[key] = node[key]
    properties = node.get("properties")
    if isinstance(properties, dict):
        out["properties"] = {name: _clean(value, strict) for name, value in properties.items()}
    if isinstance(node.get("items"), dict):
        out["items"] = _clean(node["items"], strict)
    extra = node.get("additionalProperties")
    if isinstance(extra, dict):
        out["additionalProperties"] = _clean(extra, strict)
    elif extra is False and strict:
        out["additionalProperties"] = False
    if isinstance(node.get("oneOf"), list):
        choices = [_clean(choice, strict) for choice in node["oneOf"]]
        types_ = None if "type" in out else _one_of_types(choices)
        if types_ is not None:
            out["type"] = types_
        else:
            out["oneOf"] = choices
    return out


# The values each JSON type accepts, in classes no two types split.
_ACCEPTS = {
    "null": {"null"},
    "boolean": {"boolean"},
    "string": {"string"},
    "array": {"array"},
    "object": {"object"},
    "integer": {"integral"},
    "number": {"integral", "fractional"},
}


def _one_of_types(choices: list[dict[str, Any]]) -> list[str] | None:
    """The one type list equal to a oneOf of bare types, or None.

    IntOrString and Quantity are ``oneOf: [{type: [string, null]}, {type:
    [integer, null]}]``: a string or an integer, and not null (which matches
    both). As a type list, validating one costs an isinstance where a oneOf
    costs a try of each choice and an exception.
    """
    counts: dict[str, int] = {}
    for choice in choices:
        if set(choice) != {"type"}:
            return None
        names = [choice["type"]] if isinstance(choice["type"], str) else choice["type"]
        classes: set[str] = set()
        for name in names:
            if name not in _ACCEPTS:
                return None
            classes |= _ACCEPTS[name]
        for value_class in classes:
            counts[value_class] = counts.get(value_class, 0) + 1
    valid = {value_class for value_class, count in counts.items() if count == 1}
    if "fractional" in valid and "integral" not in valid:
        return None  # "a number with a fraction" has no type name
    found: list[str] = [name for name in ("string", "boolean", "array", "object", "null") if name in valid]
    if "integral" in valid:
        found.append("number" if "fractional" in valid else "integer")
    return found


class _Schemas:
    """One Kubernetes version's schema files, read and cleaned on demand.

    Only compiling a kind and explaining a failure read them; a process that
    finds every kind in the cache and every object valid never does.
    """

    def __init__(self, version: str) -> None:
        self.version = version
        self.directory = os.path.join(_SCHEMA_ROOT, f"v{version}.0-local-strict")
        self._files: frozenset[str] | None = None
        self._definitions: dict[str, Any] | None = None
        self._cleaned: dict[tuple[str, bool], dict[str, Any]] = {}
        self._owners: dict[tuple[str, str, str], str] | None = None
        self._roots: dict[tuple[str, bool], tuple[str, dict[str, Any]]] = {}

    def has(self, file_name: str) -> bool:
        if self._files is None:
            self._files = frozenset(os.listdir(self.directory))
        return file_name in self._files and not file_name.startswith("_")

    def _load(self, file_name: str) -> Any:
        with open(os.path.join(self.directory, file_name), encoding="utf-8") as file:
            return json.load(file)

    def raw_definitions(self) -> dict[str, Any]:
        if self._definitions is None:
            # The OpenAPI v2 schemas list no enum values; k8s.io/api's +enum
            # types supply them (k8s_rules/enums.json).
            definitions = dict(self._load("_definitions.json").get("$defs", {}))
            apply_enums(definitions)
            self._definitions = definitions
        return self._definitions

    def definition(self, name: str, strict: bool) -> dict[str, Any]:
        """The cleaned definition; an unknown name allows anything (nothing to check against)."""
        cleaned = self._cleaned.get((name, strict))
        if cleaned is None:
            cleaned = self._cleaned[name, strict] = _clean(self.raw_definitions().get(name), strict)
        return cleaned

    def root(self, file_name: str, strict: bool) -> tuple[str, dict[str, Any]]:
        """(definition name, cleaned schema) of a kind's file."""
        found = self._roots.get((file_name, strict))
        if found is None:
            raw = self._load(file_name)
            found = self._roots[file_name, strict] = (self._owner(raw, file_name), _clean(raw, strict))
        return found

    def _owner(self, raw: Any, file_name: str) -> str:
        """The definition a kind's file copies, found by group/version/kind, to
        name it in messages (``io.k8s.api.core.v1.Service``)."""
        if self._owners is None:
            self._owners = {}
            for name, definition in self.raw_definitions().items():
                for gvk in definition.get("x-kubernetes-group-version-kind") or ():
                    self._owners.setdefault((gvk.get("group"), gvk.get("version"), gvk.get("kind")), name)
        for gvk in raw.get("x-kubernetes-group-version-kind") or ():
            found = self._owners.get((gvk.get("group"), gvk.get("version"), gvk.get("kind")))
            if found:
                return found
        return file_name.removesuffix(".json")


_SCHEMAS: dict[str, _Schemas] = {}


def _schemas(version: str) -> _Schemas:
    found = _SCHEMAS.get(version)
    if found is None:
        found = _SCHEMAS[version] = _Schemas(version)
    return found


# --- compiled validators ------------------------------------------------------


def _compilable(schemas: _Schemas, file_name: str, strict: bool) -> dict[str, Any]:
    """A kind's schema with the definitions it reaches, for fastjsonschema.

    Definitions are renamed ``d0``, ``d1``…: fastjsonschema names each
    function after its ref, lowercased with punctuation replaced, and two
    Kubernetes names could meet.
    """
    aliases: dict[str, str] = {}
    pending: list[str] = []

    def point(node: dict[str, Any]) -> dict[str, Any]:
        if "$ref" in node:
            name = node["$ref"]
            target = schemas.definition(name, strict)
            if not (target.keys() & {"$ref", "properties", "items", "additionalProperties", "oneOf"}):
                # A leaf (Quantity, IntOrString, Time) is a type check: inline
                # it rather than call a function for it.
                return dict(target)
            if name not in aliases:
                aliases[name] = f"d{len(aliases)}"
                pending.append(name)
            return {"$ref": f"#/definitions/{aliases[name]}"}
        out = dict(node)
        if "properties" in node:
            out["properties"] = {key: point(value) for key, value in node["properties"].items()}
        for key in ("items", "additionalProperties"):
            if isinstance(node.get(key), dict):
                out[key] = point(node[key])
        if "oneOf" in node:
            out["oneOf"] = [point(choice) for choice in node["oneOf"]]
        return out

    schema = point(schemas.root(file_name, strict)[1])
    definitions: dict[str, Any] = {}
    while pending:
        name = pending.pop()
        definitions[aliases[name]] = point(schemas.definition(name, strict))
    schema["definitions"] = definitions
    return schema


def _refuse_remote(uri: str) -> Any:
    raise ValueError(f"no remote schema is fetched: {uri}")


def _generate(schemas: _Schemas, file_name: str, strict: bool) -> str:
    import fastjsonschema

    return fastjsonschema.compile_to_code(
        _compilable(schemas, file_name, strict),
        # Every $ref is local; these only make sure nothing is ever fetched.
        handlers={"http": _refuse_remote, "https": _refuse_remote, "file": _refuse_remote},
        # The validator must never write into the object (defaults).
        use_default=False,
        use_formats=False,
        # Only the verdict is used (the walk below explains a failure), and
        # without the details the code is half the size and compiles in half the time.
        detailed_exceptions=False,
    ).replace(".format(**locals())", "")
    # That replace: the generated code formats each list element's or map
    # value's path into a string with locals() before calling the function of
    # its definition, failing or not (a fifth of a Pod's validation). The
    # string only ever goes into an error message, which is not read here.


def cache_dir() -> str:
    """Where compiled schemas are kept: ``$K8S_SERVICES_CACHE_DIR``, else
    ``$XDG_CACHE_HOME/k8s-services/schemas``, else ``~/.cache/k8s-services/schemas``."""
    chosen = os.environ.get("K8S_SERVICES_CACHE_DIR")
    if chosen:
        return chosen
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "k8s-services", "schemas")


def _enum_digest() -> str:
    """Which enum overlay the compiled code has in it: its source commit."""
    return enum_source().rpartition("@")[2][:12]


def _cache_key(version: str, strict: bool, file_name: str) -> str:
    import fastjsonschema

    # Code objects are marshalled, so the interpreter's version is part of the key.
    return (
        f"f{_CACHE_FORMAT}-kv{_KV_VERSION}-fjs{fastjsonschema.VERSION}-{sys.implementation.cache_tag}"
        f"-e{_enum_digest()}"
        f"-k{version}-{'strict' if strict else 'lenient'}-{file_name.removesuffix('.json')}"
    )


def _read_cache(path: str, key: str) -> types.CodeType | None:
    """The cached code, or None when it is missing or not what the key names."""
    try:
        with open(path, "rb") as file:
            payload = marshal.loads(file.read())
    except Exception:  # missing, unreadable, or not marshal data
        return None
    if (
        isinstance(payload, tuple)
        and len(payload) == 3
        and payload[0] == key
        and payload[1] == importlib.util.MAGIC_NUMBER
        and isinstance(payload[2], types.CodeType)
    ):
        return payload[2]
    return None


def _write_cache(path: str, key: str, code: types.CodeType) -> None:
    """Atomically, so a reader sees the old file or the new one; a cache that
    cannot be written only costs the next process a compile."""
    temporary = None
    try:
        os.makedirs(os.path.dirname(path), exist_ok=True)
        descriptor, temporary = tempfile.mkstemp(dir=os.path.dirname(path), prefix=".tmp-", suffix=".bin")
        with os.fdopen(descriptor, "wb") as file:
            file.write(marshal.dumps((key, importlib.util.MAGIC_NUMBER, code)))
        os.replace(temporary, path)
        temporary = None
    except Exception:  # read-only, full, not a directory: only the cache is lost
        pass
    finally:
        if temporary is not None:
            try:
                os.unlink(temporary)
            except OSError:
                pass


def _run(code: types.CodeType) -> Validator:
    namespace: dict[str, Any] = {}
    exec(code, namespace)
    validate = namespace["validate"]  # the root function compile_to_code names
    if not callable(validate):
        raise TypeError("generated code has no validate function")
    return validate  # type: ignore[no-any-return]


def _compile(version: str, strict: bool, file_name: str) -> Validator:
    """The validator of one kind: from the cache (one unmarshal, ~2 ms for a
    Pod), else generated and compiled (~0.2 s for a Pod) and cached."""
    key = _cache_key(version, strict, file_name)
    path = os.path.join(cache_dir(), key + ".bin")
    cached = _read_cache(path, key)
    if cached is not None:
        try:
            return _run(cached)
        except Exception:  # a corrupt file that still unmarshals: compile again
            pass
    # The code object itself is cached, not the source: compiling a Pod's
    # ~0.35 MB of source takes 0.14 s, and leaving that to Python's .pyc files
    # fails wherever PYTHONDONTWRITEBYTECODE is set (as on the development VM).
    code = compile(_generate(_schemas(version), file_name, strict), f"<k8s schema {key}>", "exec")
    _write_cache(path, key, code)
    return _run(code)


class _NotCompiled(Exception):
    """Raised by the stand-in for a kind fastjsonschema could not compile."""


def _walk_only(obj: Any) -> Any:
    raise _NotCompiled


_VALIDATORS: dict[tuple[str, bool, str, str], Validator | None] = {}
_COMPILED: dict[tuple[str, bool, str], Validator] = {}
_LOCK = threading.Lock()


def _validator(version: str, strict: bool, api_version: str, kind: str) -> Validator | None:
    """The validator of an apiVersion and kind; None when the version has no schema for it."""
    try:
        return _VALIDATORS[version, strict, api_version, kind]
    except KeyError:
        pass
    with _LOCK:
        file_name = _file_name(api_version, kind)
        validator: Validator | None = None
        if file_name is not None and _schemas(version).has(file_name):
            validator = _COMPILED.get((version, strict, file_name))
            if validator is None:
                try:
                    validator = _compile(version, strict, file_name)
                except Exception:
                    # Every shipped kind compiles (1.29 and 1.37 checked); should
                    # one not, its objects are walked instead: slower, as strict.
                    validator = _walk_only
                _COMPILED[version, strict, file_name] = validator
        _VALIDATORS[version, strict, api_version, kind] = validator
        return validator


# --- explaining a failure -------------------------------------------------------

_ARTICLES = {
    "string": "a string",
    "integer": "an integer",
    "number": "a number",
    "boolean": "a boolean",
    "array": "a list",
    "object": "an object",
    "null": "null",
}
_PLURALS = {
    "string": "strings",
    "integer": "integers",
    "number": "numbers",
    "boolean": "booleans",
    "array": "lists",
    "object": "objects",
}


def _types(schema: Mapping[str, Any]) -> list[str]:
    found = schema.get("type")
    if found is None:
        return []
    return [found] if isinstance(found, str) else list(found)


def _has_type(value: Any, name: str) -> bool:
    """JSON Schema's types, as fastjsonschema (draft 7) and jsonschema read them:
    booleans are not numbers, and a float without a fraction (80.0, as the Pulumi
    engine sends numbers) is an integer."""
    if name == "string":
        return isinstance(value, str)
    if name == "integer":
        return (isinstance(value, int) and not isinstance(value, bool)) or (
            isinstance(value, float) and value.is_integer()
        )
    if name == "number":
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    if name == "boolean":
        return isinstance(value, bool)
    if name == "null":
        return value is None
    if name == "array":
        return isinstance(value, (list, tuple))
    if name == "object":
        return isinstance(value, dict)
    return True


def _equal(value: Any, choice: Any) -> bool:
    """Enum membership as JSON Schema has it: ``true`` is not ``1``."""
    if isinstance(value, bool) or isinstance(choice, bool):
        return isinstance(value, bool) and isinstance(choice, bool) and value == choice
    if isinstance(value, (int, float)) and isinstance(choice, (int, float)):
        return value == choice
    return type(value) is type(choice) and bool(value == choice)


def _kind_of(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, (list, tuple)):
        return "a list"
    if isinstance(value, dict):
        return "an object"
    return f"a {type(value).__name__}"


def _describe(schema: Mapping[str, Any]) -> str:
    """What a schema wants, in words: ``a string``, ``a list of strings``."""
    words = []
    for name in _types(schema):
        if name == "null":
            continue
        word = _ARTICLES.get(name, name)
        items = schema.get("items")
        if name == "array" and isinstance(items, Mapping):
            inner = [_PLURALS.get(item, item) for item in _types(items) if item != "null"]
            if inner:
                word += " of " + " or ".join(inner)
        words.append(word)
    return " or ".join(words) or "null"


def _type_reason(expected: str, types_: list[str], value: Any) -> str:
    if "integer" in types_ and "number" not in types_ and isinstance(value, float):
        return "must be an integer"  # 80.5: the value shown says the rest
    return f"must be {expected}, not {_kind_of(value)}"


class _Walker:
    """Every problem of an object against one version's cleaned schema.

    Runs only for an object the compiled validator refused: the validator
    stops at its first error, and its messages name paths by joining keys with
    dots, which label keys such as ``app.kubernetes.io/name`` make ambiguous.
    Values that are `UNKNOWN` are skipped, but a key holding one is present.
    """

    def __init__(self, schemas: _Schemas, strict: bool, suffix: str, limit: int) -> None:
        self.schemas = schemas
        self.strict = strict
        self.suffix = suffix
        self.limit = limit
        self.problems: list[Problem] = []

    def add(self, path: Path, reason: str, value: Any = NO_VALUE, hint: str = "") -> None:
        if len(self.problems) < self.limit:
            self.problems.append(Problem(RULE, path, reason + self.suffix + hint, value))

    def matches(self, schema: dict[str, Any], value: Any) -> bool:
        trial = _Walker(self.schemas, self.strict, "", 1)
        trial.walk(schema, value, (), "")
        return not trial.problems

    def walk(self, schema: dict[str, Any], value: Any, path: Path, owner: str) -> None:
        if value is UNKNOWN or len(self.problems) >= self.limit:
            return
        while "$ref" in schema:
            owner = schema["$ref"]
            schema = self.schemas.definition(owner, self.strict)
        types_ = _types(schema)
        if types_ and not any(_has_type(value, name) for name in types_):
            self.add(path, _type_reason(_describe(schema), types_, value), value)
            return
        if "enum" in schema and not any(_equal(value, choice) for choice in schema["enum"]):
            # null is left out of the list: a field that allows it may be left
            # out; so is "", which upstream lists for a few "unset" constants.
            choices = [choice for choice in schema["enum"] if choice is not None and choice != ""]
            hint = ""
            if isinstance(value, str) and len(choices) > 1:
                close = difflib.get_close_matches(value, [str(choice) for choice in choices], n=1)
                hint = f". Did you mean {show(close[0])}?" if close else ""
            self.add(path, "must be one of " + ", ".join(show(choice) for choice in choices), value, hint)
            return
        if "oneOf" in schema and sum(self.matches(choice, value) for choice in schema["oneOf"]) != 1:
            wanted = dict.fromkeys(_describe(choice) for choice in schema["oneOf"])
            wanted.pop("null", None)
            self.add(path, f"must be {' or '.join(wanted) or 'null'}, not {_kind_of(value)}", value)
            return
        if isinstance(value, dict):
            self.walk_object(schema, value, path, owner)
        elif isinstance(value, (list, tuple)) and "items" in schema:
            for index, item in enumerate(value):
                self.walk(schema["items"], item, (*path, index), owner)

    def walk_object(self, schema: dict[str, Any], value: dict[Any, Any], path: Path, owner: str) -> None:
        for name in schema.get("required", ()):
            if name not in value:
                self.add((*path, name), "is required")
        properties: dict[str, Any] = schema.get("properties", {})
        extra = schema.get("additionalProperties", True)
        for key, item in value.items():
            if item is UNKNOWN:
                continue
            if key in properties:
                self.walk(properties[key], item, (*path, key), owner)
            elif extra is False:
                close = difflib.get_close_matches(str(key), list(properties), n=1)
                hint = f". Did you mean {show(close[0])}?" if close else ""
                self.add((*path, key), f"is not a field of {owner}", hint=hint)
            elif isinstance(extra, dict):
                self.walk(extra, item, (*path, key), owner)


def _strip_unknown(value: Any) -> Any:
    """``value`` without `UNKNOWN` values (dict entries, list elements): the
    same object when it has none, else a copy of the parts that change."""
    if isinstance(value, dict):
        out = {}
        changed = False
        for key, item in value.items():
            if item is UNKNOWN:
                changed = True
                continue
            stripped = _strip_unknown(item)
            changed = changed or stripped is not item
            out[key] = stripped
        return out if changed else value
    if isinstance(value, (list, tuple)):
        items = [_strip_unknown(item) for item in value if item is not UNKNOWN]
        if len(items) != len(value) or any(new is not old for new, old in zip(items, value, strict=True)):
            return items
        return value
    return value


# --- checking -------------------------------------------------------------------


def _check(obj: dict[str, Any], version: str, strict: bool, api_version: str, kind: str, suffix: str) -> list[Problem]:
    validator = _validator(version, strict, api_version, kind)
    if validator is None:
        return []  # no schema for this kind in this version (a CRD, a removed kind)
    try:
        validator(obj)
        return []
    except Exception as error:  # JsonSchemaValueException; anything else is explained the same way
        failure = error
    stripped = _strip_unknown(obj)
    if stripped is not obj and validator is not _walk_only:
        # A value not known yet fails every type check: try without them.
        try:
            validator(stripped)
            return []
        except Exception:
            pass
    schemas = _schemas(version)
    file_name = _file_name(api_version, kind)
    assert file_name is not None  # the validator exists, so the file does
    owner, root = schemas.root(file_name, strict)
    walker = _Walker(schemas, strict, suffix, MAX_PROBLEMS)
    walker.walk(root, obj, (), owner)
    if not walker.problems and stripped is obj and validator is not _walk_only:
        # The two readings of the schema disagree: never let that pass silently.
        # (With values stripped, the walk is right: a required field whose
        # value is unknown was removed from the copy, not from the object.)
        walker.add((), f"does not match the Kubernetes {version} schema: {failure}")
    return walker.problems


def _head(obj: Any) -> tuple[str, str] | list[Problem]:
    """(apiVersion, kind), or the problems that leave no schema to choose."""
    if not isinstance(obj, Mapping):
        return [Problem(RULE, (), f"must be a Kubernetes object (a mapping), not {_kind_of(obj)}", obj)]
    problems: list[Problem] = []
    unknown = False
    head: list[str] = []
    for field in ("apiVersion", "kind"):
        value = obj.get(field)
        if value is UNKNOWN:
            unknown = True
        elif field not in obj:
            problems.append(Problem(RULE, (field,), "is required"))
        elif not isinstance(value, str):
            problems.append(Problem(RULE, (field,), f"must be a string, not {_kind_of(value)}", value))
        elif not value:
            problems.append(Problem(RULE, (field,), "must not be empty", value))
        else:
            head.append(value)
    if problems or unknown:
        return problems
    return head[0], head[1]


_CHOSEN: dict[str, str] = {}  # version as given -> schema version

# Fields 1.29's OpenAPI marks required that its API server never required,
# and that LATEST's schema no longer marks: StatefulSet spec.serviceName
# (kubernetes/kubernetes pkg/apis/apps/validation/validation.go
# ValidateStatefulSetSpec does not check it; #130233 only checks its format
# when set) and NetworkPolicy spec.podSelector (a non-pointer LabelSelector in
# pkg/apis/networking/types.go: absent is the empty selector, all Pods).
_RELAXED_REQUIRED: frozenset[tuple[str | int, ...]] = frozenset({("spec", "serviceName"), ("spec", "podSelector")})


def check_schema(obj: Any, version: str | None = None) -> list[Problem]:
    """Problems of ``obj`` against the strict schema of ``version`` (default
    LATEST) and, unless a version is given, also 1.29 for fields that exist there.

    By default an object may use fields newer than 1.29 (the project supports
    1.29 and later; users opt in to newer fields), but what 1.29 does know must
    also be valid there: those problems end in ``(Kubernetes 1.29)``. A kind a
    version has no schema for (a CRD, a kind added or removed) is not checked
    against that version.
    """
    # The common case first, without a call: a dict with both strings set.
    api_version = obj.get("apiVersion") if type(obj) is dict else None
    kind = obj.get("kind") if type(obj) is dict else None
    if not (type(api_version) is str and type(kind) is str and api_version and kind):
        head = _head(obj)
        if isinstance(head, list):
            return head
        api_version, kind = head
        if not isinstance(obj, dict):
            obj = dict(obj)  # the validators read dicts
    if version is not None:
        chosen = _CHOSEN.get(version) or _CHOSEN.setdefault(version, _schema_version(version))
        return _check(obj, chosen, True, api_version, kind, "")
    problems = _check(obj, LATEST, True, api_version, kind, "")
    if LATEST == OLDEST_SUPPORTED:
        return problems
    # Every unknown field 1.29 would report is either one LATEST knows (newer
    # than 1.29: allowed) or one LATEST reports itself, so 1.29 runs without
    # unknown-field checks; strict only for a kind LATEST cannot check.
    strict = _validator(LATEST, True, api_version, kind) is None
    older = _check(obj, OLDEST_SUPPORTED, strict, api_version, kind, f" (Kubernetes {OLDEST_SUPPORTED})")
    if older:
        seen = [problem.path for problem in problems]
        for problem in older:
            # A value LATEST already refuses (at the same path or above) is said once.
            if any(problem.path[: len(path)] == path for path in seen):
                continue
            # A field 1.29's schema marks required and LATEST's does not was
            # never required by the API server's validation: the newer
            # schema corrected the document, not the server. Refusing it
            # would refuse what 1.29 accepts.
            if problem.reason.startswith("is required") and problem.path in _RELAXED_REQUIRED:
                continue
            problems.append(problem)
    return problems[:MAX_PROBLEMS]
