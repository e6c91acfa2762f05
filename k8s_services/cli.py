"""The `k8s-services` command (also `python -m components` and `python -m
k8s_services`): `render` and `describe` (k8s_services.render), `import`
(k8s_services._import), `check` (k8s_services.check), `diff` (k8s_services.diff)."""

from __future__ import annotations

import argparse
import gc
import sys
from pathlib import Path

from .render import RenderError, objects, render


def main(argv: list[str] | None = None, prog: str = "k8s-services") -> int:
    parser = argparse.ArgumentParser(
        prog=prog,
        description="Run a Pulumi Python program offline with one stack's config, under mocks.",
    )
    commands = parser.add_subparsers(dest="command", required=True)
    render_cmd = commands.add_parser("render", help="write every Kubernetes object the stack would create as YAML")
    render_cmd.add_argument("stack", help="the stack name: stacks/Pulumi.<stack>.yaml")
    render_cmd.add_argument("--out", type=Path, help="write one file per object into this directory")
    render_cmd.add_argument("--project-dir", type=Path, default=Path("."), help="the Pulumi project (default: .)")
    render_cmd.add_argument(
        "--via",
        choices=("auto", "plans", "sdk"),
        default="auto",
        help="sdk: run the program under the Pulumi SDK's mocks; plans: build the objects from the stack's plans, as"
        " this project's program registers them; auto (default): plans when the program is this project's unchanged"
        " __main__.py, else sdk",
    )
    describe_cmd = commands.add_parser(
        "describe",
        help="print how each Service is reached, what it routes to and who may call it, or draw it",
        description="Read the Kubernetes objects the program registers (any program using pulumi_kubernetes) and"
        " show each Service: type, exposure, in-cluster DNS name, ways in from outside (node ports, load balancer"
        " and its source ranges), the workloads it selects, and who its NetworkPolicies let call it.",
    )
    describe_cmd.add_argument("stack", help="the stack name: stacks/Pulumi.<stack>.yaml")
    describe_cmd.add_argument("--project-dir", type=Path, default=Path("."), help="the Pulumi project (default: .)")
    describe_cmd.add_argument(
        "--format",
        choices=("table", "mermaid", "dot"),
        default="table",
        help="table (default); mermaid: a flowchart for Markdown; dot: a Graphviz digraph",
    )
    describe_cmd.add_argument(
        "--cluster-domain", default="cluster.local", help="the cluster's DNS domain (default: cluster.local)"
    )
    import_cmd = commands.add_parser(
        "import",
        help="turn existing Kubernetes manifests into a stack config that renders the same objects",
        description="Read manifests (files, or - for stdin) and print a stack config whose bundles render the same"
        " objects; the report goes to stderr. Exit status: 0 all imported, 1 some not imported, 2 unusable input.",
    )
    import_cmd.add_argument("files", nargs="+", metavar="FILE", help="manifest files (YAML, - for stdin)")
    import_cmd.add_argument("--stack", help="write <stackConfigDir>/Pulumi.<stack>.yaml instead of printing it")
    import_cmd.add_argument("--project-dir", type=Path, default=Path("."), help="the Pulumi project (default: .)")
    check_cmd = commands.add_parser(
        "check",
        help="run the stack's config checks, the rules and the policy pack offline (CI, before pulumi preview)",
        description="Run the program offline, then every policy of the policy pack under the stack's policy config."
        " Exit status: 0 no mandatory violation (advisory findings are shown), 1 a mandatory violation, 2 a config"
        " error.",
    )
    check_cmd.add_argument("stack", help="the stack name: stacks/Pulumi.<stack>.yaml")
    check_cmd.add_argument(
        "--policy-pack", type=Path, metavar="DIR", help="the policy pack (default: <project-dir>/policy)"
    )
    check_cmd.add_argument(
        "--policy-config", type=Path, metavar="FILE", help="its config (default: <policy pack>/config/<stack>.json)"
    )
    check_cmd.add_argument(
        "--format",
        choices=("text", "json", "github"),
        default="text",
        help="text (default); json; github: GitHub Actions annotations",
    )
    check_cmd.add_argument("--project-dir", type=Path, default=Path("."), help="the Pulumi project (default: .)")
    diff_cmd = commands.add_parser(
        "diff",
        help="show what render --out DIR would add, remove and change, as a unified diff",
        description="Compare DIR with the files render --out DIR would write; DIR is only read. Exit status: 0"
        " identical, 1 differences, 2 a config error or an unusable DIR.",
    )
    diff_cmd.add_argument("stack", help="the stack name: stacks/Pulumi.<stack>.yaml")
    diff_cmd.add_argument("directory", metavar="DIR", type=Path, help="a directory render --out wrote")
    diff_cmd.add_argument("--project-dir", type=Path, default=Path("."), help="the Pulumi project (default: .)")
    args = parser.parse_args(argv)
    try:
        return _run_command(args)
    finally:
        # Finalize the event loops the SDK's worker threads left behind now,
        # while their sockets are open, not noisily at interpreter exit.
        gc.collect()


def _run_command(args: argparse.Namespace) -> int:
    """Each command's exit status: check, diff and import say their own;
    render and describe exit 2 on a RenderError."""
    if args.command == "check":
        from . import check

        return check.main(
            args.stack,
            args.project_dir,
            policy_pack=args.policy_pack,
            policy_config=args.policy_config,
            output_format=args.format,
        )
    if args.command == "diff":
        from . import diff

        return diff.main(args.stack, args.directory, args.project_dir)
    if args.command == "import":
        from ._import import main as import_main

        return import_main(args.files, args.stack, args.project_dir)
    try:
        if args.command == "render":
            text = render(args.project_dir, args.stack, args.out, args.via)
            if args.out is None:
                sys.stdout.write(text)
        else:
            from .topology import describe as describe_topology

            found = objects(args.project_dir, args.stack)
            sys.stdout.write(describe_topology(found, args.format, cluster_domain=args.cluster_domain))
    except RenderError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    return 0


def run() -> None:
    """The `k8s-services` console script."""
    sys.exit(main())
