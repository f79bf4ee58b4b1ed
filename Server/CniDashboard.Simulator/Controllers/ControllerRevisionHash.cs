using System.Text;
using k8s;
using k8s.Models;

namespace CniDashboard.Simulator.Controllers;

/// <summary>
/// The <c>controller-revision-hash</c> label: an FNV-1a hash of the pod template, spelled with the
/// API server's "safe" alphabet as the real controller does, so equal templates get equal hashes.
/// </summary>
internal static class ControllerRevisionHash
{
    private const string SafeAlphabet = "bcdfghjklmnpqrstvwxz2456789";

    public static string Of(V1PodTemplateSpec template, int? collisionCount)
    {
        var hash = 2166136261u;
        foreach (var b in Encoding.UTF8.GetBytes(KubernetesJson.Serialize(template)))
        {
            hash = (hash ^ b) * 16777619u;
        }

        if (collisionCount is { } collisions)
        {
            hash = (hash ^ (uint)collisions) * 16777619u;
        }

        var digits = hash.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var encoded = new StringBuilder(digits.Length);
        foreach (var digit in digits)
        {
            encoded.Append(SafeAlphabet[digit % SafeAlphabet.Length]);
        }

        return encoded.ToString();
    }
}
