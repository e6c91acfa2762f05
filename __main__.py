"""The k8s-services Pulumi program: one bundle per entry of the stack's
``k8s-services:services`` config, checked as a whole before anything is
registered. See README.md, stacks/ and k8s_services/program.py.

To add resources of your own, add them below; `k8s-services render` then
runs this file under the Pulumi SDK's mocks instead of rendering the
stack's bundles directly (see README.md, "Offline")."""

from k8s_services.program import main

main()
