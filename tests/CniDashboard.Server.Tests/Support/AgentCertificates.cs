using CniDashboard.Agent.Tls;
using CniDashboard.Simulator.Pki;

namespace CniDashboard.Server.Tests.Support;

/// <summary>An agents' CA on disk (what the chart's Secret holds as ca.crt) and the serving certificates it issues.</summary>
public sealed class AgentCertificates : IDisposable
{
    public const string ServerName = "cni-dashboard-agent.cni-dashboard.svc";

    private readonly TempDir _dir = new();
    private readonly CertificateAuthority _authority;
    private int _issued;

    public AgentCertificates(string name = "cni-dashboard-agent CA")
    {
        _authority = CertificateAuthority.Create(name);
        CaFile = Path.Combine(_dir.Path, "ca.crt");
        File.WriteAllText(CaFile, _authority.CertificatePem + "\n");
    }

    /// <summary>The CA certificate (PEM): the dashboard's Dashboard:Poller:AgentCaFile.</summary>
    public string CaFile { get; }

    /// <summary>A serving certificate for <paramref name="dnsName"/> (none: no SAN at all, the name only as the CN).</summary>
    public ServingCertificate Issue(string? dnsName = ServerName)
    {
        var n = Interlocked.Increment(ref _issued);
        using var certificate = _authority.Issue(dnsName ?? ServerName, dnsName is null ? [] : [dnsName], []);
        var cert = Path.Combine(_dir.Path, $"agent-{n}.crt");
        var key = Path.Combine(_dir.Path, $"agent-{n}.key");
        CertificateAuthority.WritePem(certificate, cert, key);
        return ServingCertificate.Load(cert, key);
    }

    public void Dispose()
    {
        _authority.Dispose();
        _dir.Dispose();
    }
}
