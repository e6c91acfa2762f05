#!/usr/bin/env python3
"""Generate ``k8s_rules/enums.json``: the allowed values of Kubernetes string enums.

The JSON schemas kubernetes-validate ships come from the OpenAPI v2 spec, which
carries no ``enum``: ``imagePullPolicy: Sometimes`` passes them. Upstream marks
such types ``// +enum`` in the Go API types (k8s.io/api), and kube-openapi turns
every field of such a type into an ``enum`` of the type's constants (the OpenAPI
v3 spec has them). This script does the same from a kubernetes/api checkout:

    python scripts/generate_enums.py /path/to/kubernetes/api            # a work tree
    python scripts/generate_enums.py /path/to/kubernetes/api/.git       # or a bare git dir (HEAD)

It follows kube-openapi's rules (pkg/generators/enum.go): an enum type is a
``type T string`` whose doc comment has a ``+enum`` line; its values are every
constant of type ``T`` in any package, deduplicated, sorted; a field gets the
enum if its type is ``T`` or ``*T`` (``[]T``/``map[string]T``: the items/values).
Fields of structs embedded with ``json:",inline"`` belong to the embedding struct.

An enum that upstream documents as open (other values allowed: a domain-prefixed
custom value, "may be extended", "unknown values should be tolerated"...) is left
out, since refusing other values would reject valid objects; so is every entry
whose definition or property the kubernetes-validate schemas lack. Both lists are
printed, and the kept entries written with ``--output`` (default
``k8s_rules/enums.json`` next to this script's project).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_OUTPUT = ROOT / "k8s_rules" / "enums.json"
DEFAULT_GROUPS = ("core/v1", "apps/v1", "batch/v1", "networking/v1", "policy/v1", "autoscaling/v2")
API_MODULE = "k8s.io/api"

# A field or enum type whose doc comment says values beyond the constants are
# valid today: the enum is left out. Matched case-insensitively on the comment
# joined into one line.
OPEN_ENDED = re.compile(
    r"domain[- ]prefixed|custom values?|other values? (?:are|is|may be) (?:allowed|permitted|accepted|valid)"
    r"|any (?:other )?(?:string|value) (?:is|may be) (?:allowed|accepted|valid)|not an exhaustive|non-exhaustive"
    r"|(?:un)?recognized values? (?:are|is) (?:allowed|accepted|ignored)",
    re.IGNORECASE,
)
# A doc comment saying later releases may add values. The API server still
# refuses values it does not know, and the overlay is generated from a source
# newer than the schemas it is applied to, so these are kept (and listed);
# --exclude-future leaves them out too.
FUTURE = re.compile(
    r"(?:new|more|additional) \w+(?: \w+)? (?:can|may|are considered to) be added(?: in the future)?"
    r"|(?:may|can) be (?:extended|added) in the future|(?:check for|react to|handle) (?:an )?unknown",
    re.IGNORECASE,
)


@dataclass
class Field:
    name: str  # json name
    go_type: str  # as written: "*PullPolicy", "[]v1.Protocol", ...
    doc: list[str]


@dataclass
class Struct:
    package: str  # import path, "k8s.io/api/core/v1"
    name: str
    fields: list[Field] = field(default_factory=list)
    inline: list[str] = field(default_factory=list)  # embedded inline types, as written


@dataclass
class Package:
    path: str
    imports: dict[str, str] = field(default_factory=dict)  # per file really; merged (k8s.io/api is consistent)
    aliases: dict[str, str] = field(default_factory=dict)  # Go type aliases: `type X = Y`
    enum_types: dict[str, list[str]] = field(default_factory=dict)  # name -> doc lines
    constants: list[tuple[str, str, str]] = field(default_factory=list)  # (name, type as written, raw value)
    structs: dict[str, Struct] = field(default_factory=dict)


# --- reading the checkout -----------------------------------------------------


class Source:
    """Files of a work tree, or of HEAD in a git directory."""

    def __init__(self, location: Path) -> None:
        self.location = location
        self.git_dir: Path | None = None
        if (location / "HEAD").is_file() and (location / "objects").is_dir():
            self.git_dir = location
        elif not (location / "core").is_dir() and (location / ".git").exists():
            self.git_dir = location / ".git"

    def _git(self, *args: str) -> str:
        assert self.git_dir is not None
        return subprocess.run(
            ["git", f"--git-dir={self.git_dir}", *args], check=True, capture_output=True, text=True
        ).stdout

    def go_files(self) -> list[str]:
        if self.git_dir is not None:
            names = self._git("ls-tree", "-r", "--name-only", "HEAD").splitlines()
        else:
            names = [
                os.path.relpath(os.path.join(d, f), self.location).replace(os.sep, "/")
                for d, _, files in os.walk(self.location)
                if "/.git" not in d and "/testdata" not in d
                for f in files
            ]
        return sorted(
            n
            for n in names
            if n.endswith(".go")
            and not n.endswith("_test.go")
            and not os.path.basename(n).startswith("zz_generated")
            and not n.endswith((".pb.go", "_generated.go"))
            and "testdata/" not in n
            and not n.startswith(("vendor/", "hack/"))
        )

    def read(self, name: str) -> str:
        if self.git_dir is not None:
            return self._git("show", f"HEAD:{name}")
        return (self.location / name).read_text(encoding="utf-8")

    def describe(self) -> str:
        """``<repo>@<commit>``, the commit read."""
        git = ["git", f"--git-dir={self.git_dir}"] if self.git_dir else ["git", "-C", str(self.location)]
        commit = subprocess.run([*git, "rev-parse", "HEAD"], check=True, capture_output=True, text=True).stdout.strip()
        remote = subprocess.run([*git, "remote", "get-url", "origin"], capture_output=True, text=True).stdout.strip()
        match = re.search(r"github\.com[:/]([^/]+/[^/]+?)(?:\.git)?$", remote)
        repo = match.group(1) if match else "kubernetes/api"
        return f"{repo}@{commit}"


# --- a small Go declaration parser ------------------------------------------------

_BLOCK_COMMENT = re.compile(r"/\*.*?\*/", re.DOTALL)
_IMPORT_LINE = re.compile(r'^(?:import\s+)?(?:([A-Za-z_]\w*|\.)\s+)?"([^"]+)"\s*$')
_TYPE_LINE = re.compile(r"^(?:type\s+)?([A-Za-z_]\w*)\s+(?:=\s*)?(.+?)\s*$")
_CONST_LINE = re.compile(r"^(?:const\s+)?([A-Za-z_]\w*)(?:\s+([\w.]+))?\s*=\s*(.+?)\s*$")
_JSON_TAG = re.compile(r'json:"([^"]*)"')


def _strip_line_comment(line: str) -> str:
    """The code of a line, without a trailing ``//`` comment (outside strings)."""
    quote = ""
    for i, char in enumerate(line):
        if quote:
            if char == quote and (quote == "`" or line[i - 1] != "\\"):
                quote = ""
        elif char in "\"`'":
            quote = char
        elif line.startswith("//", i):
            return line[:i].rstrip()
    return line.rstrip()


def parse_file(text: str, package: Package) -> None:
    text = _BLOCK_COMMENT.sub(lambda m: "\n" * m.group(0).count("\n"), text)
    doc: list[str] = []
    block = ""  # "import", "const", "type", "struct:<name>" while inside one
    struct: Struct | None = None
    depth = 0
    for raw in text.splitlines():
        stripped = raw.strip()
        if stripped.startswith("//"):
            doc.append(stripped[2:].strip())
            continue
        if not stripped:
            doc = []
            continue
        code = _strip_line_comment(stripped)
        if struct is not None:
            depth += code.count("{") - code.count("}")
            if depth <= 0:
                struct = None
                block = "type" if block == "struct-in-type" else ""
            elif depth == 1 and "{" not in code and "}" not in code:
                _struct_line(code, doc, struct)
            doc = []
            continue
        if block in ("import", "const", "type") and code == ")":
            block = ""
            doc = []
            continue
        if block == "import" or code.startswith("import "):
            if code == "import (":
                block = "import"
            else:
                match = _IMPORT_LINE.match(code)
                if match:
                    path = match.group(2)
                    package.imports[match.group(1) or path.rsplit("/", 1)[-1]] = path
        elif block == "const" or code.startswith("const "):
            if code == "const (":
                block = "const"
            else:
                match = _CONST_LINE.match(code)
                if match:
                    name, declared, value = match.groups()
                    conversion = re.fullmatch(r"([\w.]+)\((.+)\)", value)
                    if declared is None and conversion and conversion.group(1) != "string":
                        declared, value = conversion.groups()
                    if declared is not None:
                        package.constants.append((name, declared, value))
        elif block == "type" or code.startswith("type "):
            if code == "type (":
                block = "type"
            else:
                match = _TYPE_LINE.match(code)
                if match:
                    name, rest = match.groups()
                    if re.match(r"type\s+\w+\s*=|\w+\s*=", code):
                        package.aliases[name] = rest
                    elif rest.startswith("struct"):
                        struct = package.structs[name] = Struct(package.path, name)
                        depth = rest.count("{") - rest.count("}")
                        if depth <= 0:
                            struct = None
                        elif block == "type":
                            block = "struct-in-type"
                    elif rest == "string" and any(re.fullmatch(r"\+enum(=.*)?", line) for line in doc):
                        package.enum_types[name] = list(doc)
        doc = []


def _struct_line(code: str, doc: list[str], struct: Struct) -> None:
    tag = ""
    if code.endswith("`") and "`" in code[:-1]:
        code, tag = code[: code.index("`")].strip(), code[code.index("`") :]
    words = code.replace(", ", ",").split()
    if not words or len(words) > 2:
        return
    go_type = words[-1]
    json_tag = _JSON_TAG.search(tag)
    json_name = json_tag.group(1).split(",")[0] if json_tag else None
    options = json_tag.group(1).split(",")[1:] if json_tag else []
    if json_name == "-":
        return
    if len(words) == 1:  # embedded
        if "inline" in options or not json_name:
            struct.inline.append(go_type)
            return
        names = go_type.lstrip("*").rsplit(".", 1)[-1]
    else:
        names = words[0]
    if "string" in options:
        return  # encoded as a string whatever its type
    for name in names.split(","):
        if name and name[0].isupper():
            struct.fields.append(Field(json_name or name, go_type, list(doc)))


def _unquote(value: str) -> str | None:
    if value.startswith('"') and value.endswith('"'):
        return str(json.loads(value))
    if value.startswith("`") and value.endswith("`"):
        return value[1:-1]
    return None


# --- resolving types ------------------------------------------------------------


@dataclass
class EnumField:
    definition: str
    property: str
    shape: str  # "value", "items", "values" (of a map)
    type_name: str  # "k8s.io/api/core/v1.PullPolicy"
    values: list[str]
    field_doc: list[str]
    type_doc: list[str]


def definition_name(package_path: str, struct: str) -> str | None:
    """``io.k8s.api.core.v1.Container`` for ``k8s.io/api/core/v1`` ``Container``."""
    if not package_path.startswith(API_MODULE + "/"):
        return None
    return "io.k8s.api." + package_path.removeprefix(API_MODULE + "/").replace("/", ".") + "." + struct


_PACKAGES: dict[str, Package] = {}  # for following type aliases across packages


def _qualify(written: str, package: Package) -> str:
    """``k8s.io/api/core/v1.Protocol`` for ``v1.Protocol`` or ``Protocol``, through type aliases."""
    for _ in range(5):
        if "." in written:
            alias, name = written.split(".", 1)
            path = package.imports.get(alias, alias)
        else:
            path, name = package.path, written
        owner = _PACKAGES.get(path)
        if owner is None or name not in owner.aliases:
            return f"{path}.{name}"
        package, written = owner, owner.aliases[name]
    return f"{path}.{name}"


def load(source: Source) -> dict[str, Package]:
    packages = _PACKAGES
    packages.clear()
    for name in source.go_files():
        directory = os.path.dirname(name)
        path = f"{API_MODULE}/{directory}" if directory else API_MODULE
        package = packages.setdefault(path, Package(path))
        parse_file(source.read(name), package)
    return packages


def enum_values(packages: dict[str, Package]) -> dict[str, tuple[list[str], list[str]]]:
    """Enum type (qualified) -> (values sorted as kube-openapi does, type doc)."""
    enums: dict[str, tuple[list[str], list[str]]] = {
        f"{package.path}.{name}": ([], doc) for package in packages.values() for name, doc in package.enum_types.items()
    }
    by_name = {(package.path, name): value for package in packages.values() for name, _, value in package.constants}
    for package in packages.values():
        for name, declared, value in package.constants:
            qualified = _qualify(declared, package)
            if qualified not in enums:
                continue
            literal, seen, owner = _unquote(value), 0, package
            while literal is None and seen < 5:  # a constant defined as another
                seen += 1
                target = _qualify(value, owner)
                target_path, target_name = target.rsplit(".", 1)
                value = by_name.get((target_path, target_name), "")
                owner = packages.get(target_path, owner)
                literal = _unquote(value)
            if literal is None:
                print(f"warning: cannot evaluate {package.path}.{name} = {value}", file=sys.stderr)
                continue
            values = enums[qualified][0]
            if literal not in values:
                values.append(literal)
    for values, _ in enums.values():
        values.sort(key=lambda v: json.dumps(v))  # kube-openapi sorts the quoted Go literals
    return enums


def enum_fields(packages: dict[str, Package], groups: tuple[str, ...] | None) -> list[EnumField]:
    enums = enum_values(packages)
    found: list[EnumField] = []

    def fields_of(package: Package, struct: Struct, seen: frozenset[str]) -> list[tuple[Package, Field]]:
        out = [(package, f) for f in struct.fields]
        for embedded in struct.inline:
            qualified = _qualify(embedded.lstrip("*"), package)
            path, name = qualified.rsplit(".", 1)
            inner_package = packages.get(path)
            if inner_package is None or name not in inner_package.structs or qualified in seen:
                continue
            out += fields_of(inner_package, inner_package.structs[name], seen | {qualified})
        return out

    for package in packages.values():
        group = package.path.removeprefix(API_MODULE + "/")
        if groups is not None and group not in groups:
            continue
        for struct in package.structs.values():
            definition = definition_name(package.path, struct.name)
            if definition is None:
                continue
            for owner, member in fields_of(package, struct, frozenset()):
                go_type, shape = member.go_type, "value"
                if go_type.startswith("[]"):
                    go_type, shape = go_type[2:], "items"
                elif go_type.startswith("map["):
                    go_type, shape = go_type.split("]", 1)[1], "values"
                qualified = _qualify(go_type.lstrip("*"), owner)
                if qualified in enums:
                    values, type_doc = enums[qualified]
                    found.append(EnumField(definition, member.name, shape, qualified, values, member.doc, type_doc))
    return found


def documented(entry: EnumField, pattern: re.Pattern[str]) -> str | None:
    """Where and what the field's or the type's doc comment says that matches."""
    for where, lines in (("field", entry.field_doc), ("type", entry.type_doc)):
        match = pattern.search(" ".join(lines))
        if match:
            return f'{where} doc: "{match.group(0)}"'
    return None


# --- checking against the schemas -----------------------------------------------


def schema_definitions(version: str) -> dict[str, object]:
    import kubernetes_validate  # the project's dependency

    path = (
        Path(kubernetes_validate.__file__).parent
        / "kubernetes-json-schema"
        / f"v{version}.0-local-strict"
        / "_definitions.json"
    )
    with path.open(encoding="utf-8") as file:
        definitions: dict[str, object] = json.load(file)["$defs"]
    return definitions


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("checkout", type=Path, help="a kubernetes/api work tree or git directory")
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT)
    parser.add_argument("--groups", default=",".join(DEFAULT_GROUPS), help="group/version dirs, or 'all'")
    parser.add_argument("--schema-version", default="1.37", help="kubernetes-validate schemas to check against")
    parser.add_argument("--exclude-future", action="store_true", help="also leave out enums documented as growing")
    args = parser.parse_args(argv)

    source = Source(args.checkout.resolve())
    groups = None if args.groups == "all" else tuple(g.strip() for g in args.groups.split(",") if g.strip())
    packages = load(source)
    entries = enum_fields(packages, groups)
    known = schema_definitions(args.schema_version)

    kept: dict[str, dict[str, list[str]]] = {}
    excluded: list[str] = []
    growing: list[str] = []
    missing: list[str] = []
    for entry in sorted(entries, key=lambda e: (e.definition, e.property)):
        label = f"{entry.definition}.{entry.property} ({entry.type_name.rsplit('/', 1)[-1]})"
        definition = known.get(entry.definition)
        properties = definition.get("properties", {}) if isinstance(definition, dict) else {}
        if entry.property not in properties:
            missing.append(label)
            continue
        reason = documented(entry, OPEN_ENDED) or ("" if entry.values else "no constants")
        if entry.shape == "values":  # only status maps have enum values; the overlay has no shape for them
            reason = "a map's values"
        if reason:
            excluded.append(f"{label}: {reason}")
            continue
        future = documented(entry, FUTURE)
        if future:
            if args.exclude_future:
                excluded.append(f"{label}: {future}")
                continue
            growing.append(f"{label}: {future}")
        kept.setdefault(entry.definition, {})[entry.property] = entry.values

    overlay = {"source": source.describe(), "definitions": kept}
    args.output.write_text(json.dumps(overlay, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    count = sum(len(v) for v in kept.values())
    print(f"{args.output}: {count} enum fields in {len(kept)} definitions from {overlay['source']}")
    for title, items in (
        ("excluded (open-ended, or a map's values)", excluded),
        ("kept, though documented as growing in later releases", growing),
        (f"not in the {args.schema_version} schemas (dropped)", missing),
    ):
        print(f"{title}: {len(items)}")
        for item in items:
            print(f"  {item}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
