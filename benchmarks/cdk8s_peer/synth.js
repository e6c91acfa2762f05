#!/usr/bin/env node
// The cdk8s-plus peer of `python -m components render` (benchmarks/render_vs_cdk8s.py).
//
//   node synth.js N           # N Pods and NodePort Services, YAML on stdout
//   node synth.js N --dist    # the same through app.synth(): dist/bench.k8s.yaml
//
// For i in 0..N-1 it synthesizes what one k8s-services NodePort bundle named
// web-<i> renders: a bare Pod web-<i> (nginx-unprivileged, one container
// port 8080 named http, the "restricted" security context) and a NodePort
// Service web-<i> selecting it, port 80 -> targetPort http. See README.md for
// what cdk8s-plus emits differently.
'use strict';

const { App, Chart, ApiObject, JsonPatch, YamlOutputType } = require('cdk8s');
const kplus = require('cdk8s-plus-34');

function usage(message) {
  process.stderr.write(`synth.js: ${message}\nusage: node synth.js N [--dist]\n`);
  process.exit(2);
}

const args = process.argv.slice(2);
const dist = args.includes('--dist');
const rest = args.filter((a) => a !== '--dist');
if (rest.length !== 1 || !/^\d+$/.test(rest[0])) {
  usage('expected one argument, N, a non-negative integer');
}
const n = Number(rest[0]);

const IMAGE = 'nginxinc/nginx-unprivileged:1.27.2';
const NAME_LABEL = 'app.kubernetes.io/name';

const app = new App(dist ? { outdir: 'dist', outputFileExtension: '.k8s.yaml', yamlOutputType: YamlOutputType.FILE_PER_CHART } : {});
// One chart, as render's one stack; names exactly as given (no hash suffix).
const chart = new Chart(app, 'bench', { namespace: 'default', disableResourceNameHashes: true });

for (let i = 0; i < n; i++) {
  const name = `web-${i}`;
  const labels = { [NAME_LABEL]: name };

  const pod = new kplus.Pod(chart, name, {
    metadata: { name, labels },
    automountServiceAccountToken: false,
    securityContext: { ensureNonRoot: true },
    containers: [
      {
        name: 'web',
        image: IMAGE,
        // The cluster's default for a tagged image, which render leaves to it
        // (cdk8s-plus would write Always).
        imagePullPolicy: kplus.ImagePullPolicy.IF_NOT_PRESENT,
        ports: [{ number: 8080, name: 'http', protocol: kplus.Protocol.TCP }],
        // render sets no resources; cdk8s-plus would add its defaults otherwise.
        resources: {},
        securityContext: {
          ensureNonRoot: true,
          allowPrivilegeEscalation: false,
          privileged: false,
          // cdk8s-plus defaults this to true; render leaves it unset (false).
          readOnlyRootFilesystem: false,
          capabilities: { drop: [kplus.Capability.ALL] },
          seccompProfile: { type: kplus.SeccompProfileType.RUNTIME_DEFAULT },
        },
      },
    ],
  });
  // The Pod-level seccomp profile render sets: not in cdk8s-plus's
  // PodSecurityContextProps, so through the escape hatch.
  ApiObject.of(pod).addJsonPatch(JsonPatch.add('/spec/securityContext/seccompProfile', { type: 'RuntimeDefault' }));

  const service = new kplus.Service(chart, `${name}-service`, {
    metadata: { name, labels },
    type: kplus.ServiceType.NODE_PORT,
    ports: [{ name: 'http', port: 80, targetPort: 8080, protocol: kplus.Protocol.TCP }],
  });
  // Select by render's label rather than cdk8s-plus's per-Pod address label.
  service.selectLabel(NAME_LABEL, name);
  // render's targetPort is the port's name; cdk8s-plus takes a number only.
  // Patches apply to the resolved object before cdk8s's typed conversion,
  // where targetPort is still an IntOrString, {value: 8080}: patch its value.
  ApiObject.of(service).addJsonPatch(JsonPatch.replace('/spec/ports/0/targetPort/value', 'http'));
}

if (dist) {
  app.synth();
} else {
  process.stdout.write(app.synthYaml());
}
