using CniDashboard.Simulator.KubeApi.Auth;
using CniDashboard.Simulator.Pki;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace CniDashboard.Simulator.KubeApi;

/// <summary>How the emulated API server behaves. Every collection it keeps has a cap here.</summary>
public sealed class KubeApiEmulatorOptions
{
    /// <summary>The clock for timestamps, token lifetimes, bookmarks, watch timeouts and event expiry.</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    public ILoggerFactory LoggerFactory { get; init; } = NullLoggerFactory.Instance;

    /// <summary>Loopback port; 0 picks a free one.</summary>
    public int Port { get; init; }

    /// <summary>Seed for generated names and uids, so a simulation replays the same way.</summary>
    public int Seed { get; init; } = 1;

    /// <summary>How often a watch with <c>allowWatchBookmarks</c> gets a BOOKMARK (the real server sends about one a minute).</summary>
    public TimeSpan BookmarkInterval { get; init; } = TimeSpan.FromMinutes(1);

    /// <summary>Changes retained for resuming watches; a watch from an older resourceVersion gets 410 Expired.</summary>
    public int WatchHistoryCapacity { get; init; } = 20_000;

    /// <summary>Events one watch may have queued before it is closed as too slow.</summary>
    public int WatchBufferCapacity { get; init; } = 10_000;

    /// <summary>Paged lists whose snapshot is kept for their continuation.</summary>
    public int ListSnapshotCapacity { get; init; } = 32;

    /// <summary>How long an Event lives after it was last seen, as the API server's event TTL.</summary>
    public TimeSpan EventTimeToLive { get; init; } = TimeSpan.FromHours(1);

    /// <summary>Who exists and what each may do. Defaults to the dashboard and agent ServiceAccounts and an admin.</summary>
    public IReadOnlyList<KubeIdentity> Identities { get; init; } = KubeIdentities.Defaults;

    /// <summary>Opaque bearer tokens and the username each stands for (the API server's static token file).</summary>
    public IReadOnlyDictionary<string, string> StaticTokens { get; init; } = new Dictionary<string, string>();

    /// <summary>The <c>iss</c> of issued ServiceAccount tokens.</summary>
    public string Issuer { get; init; } = TokenAuthority.DefaultIssuer;

    /// <summary>Audiences the API server accepts; null for the in-cluster defaults.</summary>
    public IReadOnlyList<string>? ApiAudiences { get; init; }

    /// <summary>Key for token signatures; set it to keep tokens written to disk valid across restarts.</summary>
    public byte[]? TokenSigningKey { get; init; }

    /// <summary>
    /// The cluster CA that signs the API server's serving certificate; the caller keeps ownership.
    /// Null makes a throw-away CA for this emulator alone.
    /// </summary>
    public CertificateAuthority? ClusterCa { get; init; }

    /// <summary>Requests kept in <see cref="KubeApiEmulator.Requests"/> (user, verb, path, <c>Audit-ID</c>, User-Agent); older ones are dropped.</summary>
    public int RequestLogCapacity { get; init; } = 10_000;

    /// <summary>Run the DaemonSet controller inside the emulator, as the controller manager runs beside the API server.</summary>
    public bool RunDaemonSetController { get; init; } = true;

    internal void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(WatchHistoryCapacity, 1, nameof(WatchHistoryCapacity));
        ArgumentOutOfRangeException.ThrowIfLessThan(WatchBufferCapacity, 1, nameof(WatchBufferCapacity));
        ArgumentOutOfRangeException.ThrowIfLessThan(ListSnapshotCapacity, 1, nameof(ListSnapshotCapacity));
        ArgumentOutOfRangeException.ThrowIfLessThan(RequestLogCapacity, 1, nameof(RequestLogCapacity));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(BookmarkInterval, TimeSpan.Zero, nameof(BookmarkInterval));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(EventTimeToLive, TimeSpan.Zero, nameof(EventTimeToLive));
        ArgumentOutOfRangeException.ThrowIfNegative(Port, nameof(Port));
    }
}
