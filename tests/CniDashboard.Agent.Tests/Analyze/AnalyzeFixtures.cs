namespace CniDashboard.Agent.Tests.Analyze;

/// <summary>
/// This project's own copies of the reference node folders and contexts (byte for byte), written to
/// temp folders by the tests: a user's clone has no ../shared, and the analyze tests keep their
/// fixtures inside Analyze/.
/// </summary>
internal static class AnalyzeFixtures
{
    public const string HealthyTokenPod = "linkerd-cni-9qv4d";
    public const string IncidentTokenPod = "linkerd-cni-5hxw8";
    public const string IncidentLivePod = "linkerd-cni-ltrn6";

    public static IReadOnlyDictionary<string, string> Node(string name) => name switch
    {
        "healthy" => new Dictionary<string, string>
        {
            ["05-cilium.conflist"] = Cilium,
            ["10-aws.conflist"] = HealthyAws,
            ["ZZZ-linkerd-cni-kubeconfig"] = HealthyKubeconfig,
        },
        "incident" => new Dictionary<string, string>
        {
            ["05-cilium.conflist"] = Cilium,
            ["10-aws.conflist"] = IncidentAws,
            ["ZZZ-linkerd-cni-kubeconfig"] = IncidentKubeconfig,
        },
        _ => throw new ArgumentOutOfRangeException(nameof(name)),
    };

    public const string Cilium = """
{
  "cniVersion": "0.4.0",
  "name": "aws-cni",
  "disableCheck": true,
  "plugins": [
    {
      "name": "aws-cni",
      "type": "aws-cni",
      "vethPrefix": "eni",
      "mtu": "9001",
      "podSGEnforcingMode": "strict",
      "pluginLogFile": "/var/log/aws-routed-eni/plugin.log",
      "pluginLogLevel": "DEBUG"
    },
    {
      "name": "egress-cni",
      "type": "egress-cni",
      "mtu": "9001",
      "enabled": "false",
      "randomizeSNAT": "prng",
      "nodeIP": "",
      "ipam": {
        "type": "host-local",
        "ranges": [
          [
            {
              "subnet": "fd00::ac:00/118"
            }
          ]
        ],
        "routes": [
          {
            "dst": "::/0"
          }
        ],
        "dataDir": "/run/cni/v4pd/egress-v6-ipam"
      },
      "pluginLogFile": "/var/log/aws-routed-eni/egress-v6-plugin.log",
      "pluginLogLevel": "DEBUG"
    },
    {
      "type": "portmap",
      "capabilities": {
        "portMappings": true
      },
      "snat": true
    },
    {
      "type": "cilium-cni",
      "chaining-mode": "aws-cni",
      "enable-debug": false,
      "log-file": "/var/run/cilium/cilium-cni.log"
    },
    {
      "name": "linkerd-cni",
      "type": "linkerd-cni",
      "log_level": "info",
      "kubernetes": {
        "kubeconfig": "/etc/cni/net.d/ZZZ-linkerd-cni-kubeconfig"
      },
      "linkerd": {
        "incoming-proxy-port": 4143,
        "outgoing-proxy-port": 4140,
        "proxy-uid": 2102,
        "ports-to-redirect": [],
        "inbound-ports-to-ignore": [
          "4191",
          "4190"
        ],
        "simulate": false,
        "use-wait-flag": false,
        "iptables-mode": "legacy",
        "ipv6": false
      }
    }
  ]
}
""";

    public const string HealthyAws = """
{
  "cniVersion": "0.4.0",
  "name": "aws-cni",
  "disableCheck": true,
  "plugins": [
    {
      "name": "aws-cni",
      "type": "aws-cni",
      "vethPrefix": "eni",
      "mtu": "9001",
      "podSGEnforcingMode": "strict",
      "pluginLogFile": "/var/log/aws-routed-eni/plugin.log",
      "pluginLogLevel": "DEBUG"
    },
    {
      "name": "egress-cni",
      "type": "egress-cni",
      "mtu": "9001",
      "enabled": "false",
      "randomizeSNAT": "prng",
      "nodeIP": "",
      "ipam": {
        "type": "host-local",
        "ranges": [[{"subnet": "fd00::ac:00/118"}]],
        "routes": [{"dst": "::/0"}],
        "dataDir": "/run/cni/v4pd/egress-v6-ipam"
      },
      "pluginLogFile": "/var/log/aws-routed-eni/egress-v6-plugin.log",
      "pluginLogLevel": "DEBUG"
    },
    {
      "type": "portmap",
      "capabilities": {"portMappings": true},
      "snat": true
    },
    {
      "name": "linkerd-cni",
      "type": "linkerd-cni",
      "log_level": "info",
      "kubernetes": {
        "kubeconfig": "/etc/cni/net.d/ZZZ-linkerd-cni-kubeconfig"
      },
      "linkerd": {
        "incoming-proxy-port": 4143,
        "outgoing-proxy-port": 4140,
        "proxy-uid": 2102,
        "ports-to-redirect": [],
        "inbound-ports-to-ignore": ["4191", "4190"],
        "simulate": false,
        "use-wait-flag": false,
        "iptables-mode": "legacy",
        "ipv6": false
      }
    }
  ]
}

""";

    public const string IncidentAws = """
{
  "cniVersion": "0.4.0",
  "name": "aws-cni",
  "disableCheck": true,
  "plugins": [
    {
      "name": "aws-cni",
      "type": "aws-cni",
      "vethPrefix": "eni",
      "mtu": "9001",
      "podSGEnforcingMode": "strict",
      "pluginLogFile": "/var/log/aws-routed-eni/plugin.log",
      "pluginLogLevel": "DEBUG"
    },
    {
      "name": "egress-cni",
      "type": "egress-cni",
      "mtu": "9001",
      "enabled": "false",
      "randomizeSNAT": "prng",
      "nodeIP": "",
      "ipam": {
        "type": "host-local",
        "ranges": [
          [
            {
              "subnet": "fd00::ac:00/118"
            }
          ]
        ],
        "routes": [
          {
            "dst": "::/0"
          }
        ],
        "dataDir": "/run/cni/v4pd/egress-v6-ipam"
      },
      "pluginLogFile": "/var/log/aws-routed-eni/egress-v6-plugin.log",
      "pluginLogLevel": "DEBUG"
    },
    {
      "type": "portmap",
      "capabilities": {
        "portMappings": true
      },
      "snat": true
    },
    {
      "name": "linkerd-cni",
      "type": "linkerd-cni",
      "log_level": "info",
      "kubernetes": {
        "kubeconfig": "/etc/cni/net.d/ZZZ-linkerd-cni-kubeconfig"
      },
      "linkerd": {
        "incoming-proxy-port": 4143,
        "outgoing-proxy-port": 4140,
        "proxy-uid": 2102,
        "ports-to-redirect": [],
        "inbound-ports-to-ignore": [
          "4191",
          "4190"
        ],
        "simulate": false,
        "use-wait-flag": false,
        "iptables-mode": "legacy",
        "ipv6": false
      }
    }
  ]
}
""";

    public const string HealthyKubeconfig = """
# Kubeconfig file for linkerd CNI plugin.
apiVersion: v1
kind: Config
clusters:
- name: local
  cluster:
    server: https://[172.20.0.1]:443
    certificate-authority-data: LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0tCk1JSUMvakNDQWVhZ0F3SUJBZ0lCQURBTkJna3Foa2lHOXcwQkFRc0ZBREFWTVJNd0VRWURWUVFERXdwcmRXSmwKLS0tLS1FTkQgQ0VSVElGSUNBVEUtLS0tLQo=
users:
- name: linkerd-cni
  user:
    token: eyJhbGciOiJSUzI1NiIsImtpZCI6IjdjMWEyZDlmM2IwZTRhNWM4ZDZmMWUyYjNhNGM1ZDZlN2Y4MDkxMTIifQ.eyJhdWQiOlsiaHR0cHM6Ly9rdWJlcm5ldGVzLmRlZmF1bHQuc3ZjIl0sImV4cCI6MTgyNjY2ODgwMCwiaWF0IjoxNzk1MTMyODAwLCJuYmYiOjE3OTUxMzI4MDAsImlzcyI6Imh0dHBzOi8vb2lkYy5la3MudXMtd2VzdC0yLmFtYXpvbmF3cy5jb20vaWQvMDEyMzQ1Njc4OUFCQ0RFRjAxMjM0NTY3ODlBQkNERUYiLCJrdWJlcm5ldGVzLmlvIjp7Im5hbWVzcGFjZSI6ImxpbmtlcmQtY25pIiwibm9kZSI6eyJuYW1lIjoiaXAtMTAtMC0xMi0zNC51cy13ZXN0LTIuY29tcHV0ZS5pbnRlcm5hbCIsInVpZCI6IjVkMmYwYzFlLTlhN2ItNGMzZC04ZTFmLTJhM2I0YzVkNmU3ZiJ9LCJwb2QiOnsibmFtZSI6ImxpbmtlcmQtY25pLTlxdjRkIiwidWlkIjoiZjNhMWMyYjQtMWQyZS00ZjVhLTliOGMtN2Q2ZTVmNGEzYjJjIn0sInNlcnZpY2VhY2NvdW50Ijp7Im5hbWUiOiJsaW5rZXJkLWNuaSIsInVpZCI6IjBiOWU4ZDdjLTZhNWYtNGUzZC0yYzFiLTBhOWY4ZTdkNmM1YiJ9LCJ3YXJuYWZ0ZXIiOjE3OTUxMzY0MDd9LCJzdWIiOiJzeXN0ZW06c2VydmljZWFjY291bnQ6bGlua2VyZC1jbmk6bGlua2VyZC1jbmkifQ.c2lnbmF0dXJlLW5vdC1yZWFsLXJlZmVyZW5jZS1vbmx5
contexts:
- name: linkerd-cni-context
  context:
    cluster: local
    user: linkerd-cni
current-context: linkerd-cni-context

""";

    public const string IncidentKubeconfig = """
# Kubeconfig file for linkerd CNI plugin.
apiVersion: v1
kind: Config
clusters:
- name: local
  cluster:
    server: https://[172.20.0.1]:443
    certificate-authority-data: LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0tCk1JSUMvakNDQWVhZ0F3SUJBZ0lCQURBTkJna3Foa2lHOXcwQkFRc0ZBREFWTVJNd0VRWURWUVFERXdwcmRXSmwKLS0tLS1FTkQgQ0VSVElGSUNBVEUtLS0tLQo=
users:
- name: linkerd-cni
  user:
    token: eyJhbGciOiJSUzI1NiIsImtpZCI6IjdjMWEyZDlmM2IwZTRhNWM4ZDZmMWUyYjNhNGM1ZDZlN2Y4MDkxMTIifQ.eyJhdWQiOlsiaHR0cHM6Ly9rdWJlcm5ldGVzLmRlZmF1bHQuc3ZjIl0sImV4cCI6MTgyNjQwOTYwMCwiaWF0IjoxNzk0ODczNjAwLCJuYmYiOjE3OTQ4NzM2MDAsImlzcyI6Imh0dHBzOi8vb2lkYy5la3MudXMtd2VzdC0yLmFtYXpvbmF3cy5jb20vaWQvMDEyMzQ1Njc4OUFCQ0RFRjAxMjM0NTY3ODlBQkNERUYiLCJrdWJlcm5ldGVzLmlvIjp7Im5hbWVzcGFjZSI6ImxpbmtlcmQtY25pIiwibm9kZSI6eyJuYW1lIjoiaXAtMTAtMC0xMi0zNC51cy13ZXN0LTIuY29tcHV0ZS5pbnRlcm5hbCIsInVpZCI6IjVkMmYwYzFlLTlhN2ItNGMzZC04ZTFmLTJhM2I0YzVkNmU3ZiJ9LCJwb2QiOnsibmFtZSI6ImxpbmtlcmQtY25pLTVoeHc4IiwidWlkIjoiYTliOGM3ZDYtZTVmNC00YTNiLTJjMWQtMGU5ZjhhN2I2YzVkIn0sInNlcnZpY2VhY2NvdW50Ijp7Im5hbWUiOiJsaW5rZXJkLWNuaSIsInVpZCI6IjBiOWU4ZDdjLTZhNWYtNGUzZC0yYzFiLTBhOWY4ZTdkNmM1YiJ9LCJ3YXJuYWZ0ZXIiOjE3OTQ4NzcyMDd9LCJzdWIiOiJzeXN0ZW06c2VydmljZWFjY291bnQ6bGlua2VyZC1jbmk6bGlua2VyZC1jbmkifQ.c2lnbmF0dXJlLW5vdC1yZWFsLXJlZmVyZW5jZS1vbmx5
contexts:
- name: linkerd-cni-context
  context:
    cluster: local
    user: linkerd-cni
current-context: linkerd-cni-context

""";

    public const string HealthyContext = """
{
  "node": "ip-10-0-12-34.us-west-2.compute.internal",
  "osImage": "Bottlerocket OS 1.29.0 (aws-k8s-1.31)",
  "pods": [
    { "namespace": "linkerd-cni", "name": "linkerd-cni-9qv4d", "uid": "f3a1c2b4-1d2e-4f5a-9b8c-7d6e5f4a3b2c", "daemonSet": "linkerd-cni", "image": "cr.l5d.io/linkerd/cni-plugin:v1.6.2", "phase": "Running", "ready": true },
    { "namespace": "kube-system", "name": "aws-node-7xk2p", "daemonSet": "aws-node", "image": "602401143452.dkr.ecr.us-west-2.amazonaws.com/amazon-k8s-cni:v1.19.2-eksbuild.1", "phase": "Running", "ready": true },
    { "namespace": "kube-system", "name": "cilium-m4v8q", "daemonSet": "cilium", "image": "quay.io/cilium/cilium:v1.16.6", "phase": "Running", "ready": true }
  ],
  "daemonSets": [
    { "namespace": "linkerd-cni", "name": "linkerd-cni", "image": "cr.l5d.io/linkerd/cni-plugin:v1.6.2", "desired": 3, "updated": 3, "ready": 3 },
    { "namespace": "kube-system", "name": "aws-node", "image": "602401143452.dkr.ecr.us-west-2.amazonaws.com/amazon-k8s-cni:v1.19.2-eksbuild.1", "desired": 3, "updated": 3, "ready": 3 },
    { "namespace": "kube-system", "name": "cilium", "image": "quay.io/cilium/cilium:v1.16.6", "desired": 3, "updated": 3, "ready": 3 }
  ],
  "ciliumConfig": { "cni-exclusive": "false", "cni-chaining-mode": "aws-cni" }
}

""";

    public const string IncidentContext = """
{
  "node": "ip-10-0-12-34.us-west-2.compute.internal",
  "osImage": "Bottlerocket OS 1.29.0 (aws-k8s-1.31)",
  "pods": [
    { "namespace": "linkerd-cni", "name": "linkerd-cni-ltrn6", "uid": "c4d5e6f7-a8b9-4c0d-9e1f-2a3b4c5d6e7f", "daemonSet": "linkerd-cni", "image": "cr.l5d.io/linkerd/cni-plugin:v1.6.2", "phase": "Running", "ready": false },
    { "namespace": "kube-system", "name": "aws-node-7xk2p", "daemonSet": "aws-node", "image": "602401143452.dkr.ecr.us-west-2.amazonaws.com/amazon-k8s-cni:v1.19.2-eksbuild.1", "phase": "Running", "ready": true },
    { "namespace": "kube-system", "name": "cilium-m4v8q", "daemonSet": "cilium", "image": "quay.io/cilium/cilium:v1.16.6", "phase": "Running", "ready": true }
  ],
  "daemonSets": [
    { "namespace": "linkerd-cni", "name": "linkerd-cni", "image": "cr.l5d.io/linkerd/cni-plugin:v1.6.2", "desired": 3, "updated": 2, "ready": 2 },
    { "namespace": "kube-system", "name": "aws-node", "image": "602401143452.dkr.ecr.us-west-2.amazonaws.com/amazon-k8s-cni:v1.19.2-eksbuild.1", "desired": 3, "updated": 3, "ready": 3 },
    { "namespace": "kube-system", "name": "cilium", "image": "quay.io/cilium/cilium:v1.16.6", "desired": 3, "updated": 3, "ready": 3 }
  ],
  "ciliumConfig": { "cni-exclusive": "false", "cni-chaining-mode": "aws-cni" },
  "sandboxErrors": [
    { "pluginType": "linkerd-cni", "errorClass": "unauthorized", "count": 27, "lastSeen": "2026-11-20T09:21:48Z" }
  ]
}

""";
}
