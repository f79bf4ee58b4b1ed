using System.Security.Cryptography;

namespace CniDashboard.Server.Audit;

/// <summary>
/// The ECDSA P-256 key pair that signs checkpoints, as PEM files: the private key (PKCS#8) either
/// mounted from a Secret or kept in the data dir (created on first start, mode 0600), and its
/// public half beside it (<c>.pub.pem</c>) for whoever verifies elsewhere.
/// <para>
/// Why ECDSA P-256: .NET 10 has no Ed25519; P-256 is in the platform crypto everywhere .NET runs,
/// FIPS-approved, the curve of the chart's agent certificates and of Sigstore/cosign signatures, and
/// its DER signatures check with a stock <c>openssl dgst -sha256 -verify</c>.
/// </para>
/// </summary>
public static class AuditCheckpointKey
{
    /// <summary>Reads a P-256 key from PEM: a private key (PKCS#8, SEC1) or a public key (SubjectPublicKeyInfo).</summary>
    /// <exception cref="CryptographicException">Not a P-256 EC key.</exception>
    public static ECDsa Read(string path)
    {
        var key = ECDsa.Create();
        try
        {
            key.ImportFromPem(File.ReadAllText(path));
            if (key.KeySize != 256 || key.ExportParameters(false).Curve.Oid.Value != ECCurve.NamedCurves.nistP256.Oid.Value)
                throw new CryptographicException($"{path} holds an EC key on another curve; checkpoints are signed with P-256");
            return key;
        }
        catch
        {
            key.Dispose();
            throw;
        }
    }

    /// <summary>
    /// The key at <paramref name="path"/>, creating it (0600, written to a temp file and renamed, so a
    /// half-written key is never read) when it does not exist. Writes the public key beside it.
    /// </summary>
    public static ECDsa ReadOrCreate(string path)
    {
        if (!File.Exists(path))
        {
            Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
            using var created = ECDsa.Create(ECCurve.NamedCurves.nistP256);
            var temp = path + $".{Environment.ProcessId}.tmp";
            var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
            if (!OperatingSystem.IsWindows()) options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
            using (var stream = new FileStream(temp, options))
            using (var writer = new StreamWriter(stream))
            {
                writer.Write(created.ExportPkcs8PrivateKeyPem());
                writer.Flush();
                stream.Flush(flushToDisk: true);
            }

            try
            {
                File.Move(temp, path, overwrite: false);
            }
            catch (IOException) when (File.Exists(path))
            {
                // Another process made it first: use theirs.
                File.Delete(temp);
            }
        }

        var key = Read(path);
        WritePublicKey(key, PublicKeyPath(path));
        return key;
    }

    /// <summary>Where the public half of a key file is written.</summary>
    public static string PublicKeyPath(string privateKeyPath) => Path.ChangeExtension(privateKeyPath, null) + ".pub.pem";

    /// <summary>
    /// True when any user can read the file (a key must not be readable by all; group read is how a
    /// Secret mounted for a pod's fsGroup is read, and is fine).
    /// </summary>
    public static bool IsReadableByOthers(string path) =>
        !OperatingSystem.IsWindows() && (File.GetUnixFileMode(path) & UnixFileMode.OtherRead) != 0;

    private static void WritePublicKey(ECDsa key, string path)
    {
        var pem = key.ExportSubjectPublicKeyInfoPem() + "\n";
        try
        {
            if (!File.Exists(path) || File.ReadAllText(path) != pem) File.WriteAllText(path, pem);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // A read-only data dir or a Secret's folder: the public key is also served by the API.
        }
    }
}
