using CniDashboard.Agent.Tls;
using CniDashboard.Simulator.KubeApi.Auth;

namespace CniDashboard.Simulator.Pki;

/// <summary>
/// The simulated cluster's certificates, under <c>{DataDir}/simulator/pki/</c>. The two CAs are
/// generated once and kept, so a restarted cluster keeps its trust anchors (every kubeconfig is
/// written again at each start anyway: the admin token is per run); the serving certificates are
/// issued again at every start.
/// <list type="bullet">
/// <item><c>ca.crt</c>/<c>ca.key</c>: the cluster CA; it signs the API server's certificate
/// (127.0.0.1, ::1, localhost) and is the <c>certificate-authority-data</c> of every kubeconfig.</item>
/// <item><c>agent-ca.crt</c>/<c>agent-ca.key</c>: the agents' CA, as the Helm chart generates it;
/// the dashboard trusts it (<c>Dashboard:Poller:AgentCaFile</c>).</item>
/// <item><c>agent.crt</c>/<c>agent.key</c>: the one serving certificate every agent uses (the
/// Secret's <c>tls.crt</c>/<c>tls.key</c>), for the fixed name <see cref="AgentServerName"/>.</item>
/// </list>
/// </summary>
public sealed class SimulatorPki : IDisposable
{
    private SimulatorPki(string folder, CertificateAuthority clusterCa, CertificateAuthority agentCa)
    {
        Folder = folder;
        ClusterCa = clusterCa;
        AgentCa = agentCa;
    }

    /// <summary>The agents' fixed DNS name (the chart's default for namespace <c>cni-dashboard</c>).</summary>
    public static string AgentServerName { get; } = AgentTls.ServerName(KubeIdentities.ProductNamespace);

    /// <summary>The folder holding every file.</summary>
    public string Folder { get; }

    /// <summary>The cluster CA (signs the API server's certificate).</summary>
    public CertificateAuthority ClusterCa { get; }

    /// <summary>The agents' CA.</summary>
    public CertificateAuthority AgentCa { get; }

    /// <summary>The cluster CA certificate (PEM).</summary>
    public string ClusterCaFile => Path.Combine(Folder, "ca.crt");

    /// <summary>The agents' CA certificate (PEM), what the dashboard trusts for agents.</summary>
    public string AgentCaFile => Path.Combine(Folder, "agent-ca.crt");

    /// <summary>The agents' serving certificate (PEM).</summary>
    public string AgentCertFile => Path.Combine(Folder, "agent.crt");

    /// <summary>The agents' private key (PEM, owner-only).</summary>
    public string AgentKeyFile => Path.Combine(Folder, "agent.key");

    /// <summary>Loads (or creates) both CAs in <paramref name="folder"/> and issues the agents' serving certificate there.</summary>
    public static SimulatorPki Open(string folder)
    {
        Directory.CreateDirectory(folder);
        var (clusterCa, _) = CertificateAuthority.LoadOrCreate(Path.Combine(folder, "ca.crt"), Path.Combine(folder, "ca.key"), "cni-simulator cluster CA");
        var (agentCa, _) = CertificateAuthority.LoadOrCreate(Path.Combine(folder, "agent-ca.crt"), Path.Combine(folder, "agent-ca.key"), "cni-dashboard-agent CA");
        var pki = new SimulatorPki(folder, clusterCa, agentCa);
        using (var agent = agentCa.Issue("cni-dashboard-agent", [AgentServerName], []))
        {
            CertificateAuthority.WritePem(agent, pki.AgentCertFile, pki.AgentKeyFile);
        }

        return pki;
    }

    /// <inheritdoc />
    public void Dispose()
    {
        ClusterCa.Dispose();
        AgentCa.Dispose();
    }
}
