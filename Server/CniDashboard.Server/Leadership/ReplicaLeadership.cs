using CniDashboard.Server.Options;
using CniDashboard.Server.Remediation;
using CniDashboard.Server.Store;
using k8s;
using k8s.LeaderElection;
using k8s.LeaderElection.ResourceLock;
using Microsoft.Extensions.Options;

namespace CniDashboard.Server.Leadership;

/// <summary>
/// Which replica does the work that must happen once. On PostgreSQL, where several replicas share the
/// store, they elect a leader with KubernetesClient's <see cref="LeaderElector"/> on a
/// <see cref="LeaseLock"/>; on SQLite there is only ever one replica (one file on a ReadWriteOnce
/// volume, <c>Recreate</c> updates), so it leads from the start and no Lease is needed.
/// A replica that loses the Lease (it could not renew within the deadline) stops its leader-only work
/// and the whole process, as kube-controller-manager does: Kubernetes starts it again as a follower,
/// with none of the deposed leader's queues, timers or half-made decisions left in memory.
/// </summary>
public sealed class ReplicaLeadership : BackgroundService
{
    private readonly IServiceProvider _services;
    private readonly IHostApplicationLifetime? _lifetime;
    private readonly ILogger<ReplicaLeadership> _logger;
    private readonly LeadershipOptions _options;
    private readonly string _namespace;
    private readonly TaskCompletionSource _leading = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private volatile string? _leader;
    private volatile bool _isLeader;
    private long _transitions;

    /// <summary>Creates the election for the configured store (the Kubernetes client is resolved when electing starts, from <paramref name="services"/>).</summary>
    public ReplicaLeadership(
        IServiceProvider services,
        IOptions<DashboardOptions> dashboard,
        IOptions<LeadershipOptions> options,
        IOptions<RemediationEngineOptions> remediation,
        ILogger<ReplicaLeadership> logger,
        IHostApplicationLifetime? lifetime = null)
    {
        _services = services;
        _lifetime = lifetime;
        _logger = logger;
        _options = options.Value;
        _namespace = remediation.Value.Namespace;
        Identity = remediation.Value.Identity;
        Elects = dashboard.Value.Store.Provider == StoreProvider.Postgres;
        if (!Elects) BecomeLeader();
    }

    /// <summary>True when replicas elect a leader (PostgreSQL); false on SQLite, where the one replica always leads.</summary>
    public bool Elects { get; }

    /// <summary>This replica's name in the Lease (its pod's name).</summary>
    public string Identity { get; }

    /// <summary>The Lease's name, when <see cref="Elects"/>.</summary>
    public string LeaseName => _options.LeaseName;

    /// <summary>True while this replica leads.</summary>
    public bool IsLeader => _isLeader;

    /// <summary>The leader this replica last saw in the Lease (itself when leading), or null before it has looked.</summary>
    public string? Leader => _leader;

    /// <summary>How many times this replica became leader (0 or 1: a deposed leader restarts).</summary>
    public long Terms => Interlocked.Read(ref _transitions);

    /// <summary>Raised once, when this replica starts leading.</summary>
    public event Action? StartedLeading;

    /// <summary>Completes when this replica starts leading (at once on SQLite).</summary>
    public Task WaitUntilLeadingAsync(CancellationToken cancellationToken) => _leading.Task.WaitAsync(cancellationToken);

    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!Elects) return;
        var config = new LeaderElectionConfig(new LeaseLock(_services.GetRequiredService<IKubernetes>(), _namespace, _options.LeaseName, Identity))
        {
            LeaseDuration = _options.LeaseDuration,
            RenewDeadline = _options.RenewDeadline,
            RetryPeriod = _options.RetryPeriod,
        };
        using var elector = new LeaderElector(config);
        elector.OnNewLeader += leader =>
        {
            _leader = leader;
            _logger.LogInformation("Leader is now {Leader}{Self}", leader, leader == Identity ? " (this replica)" : "");
        };
        elector.OnStartedLeading += BecomeLeader;
        elector.OnError += e => _logger.LogDebug(e, "Leader election: the Lease could not be read or written");
        _logger.LogInformation("Electing a leader on Lease {Namespace}/{Lease} as {Identity}", _namespace, _options.LeaseName, Identity);
        try
        {
            await elector.RunUntilLeadershipLostAsync(stoppingToken);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            return;
        }
        catch (Exception ex)
        {
            _logger.LogError(ex, "Leader election failed");
        }

        if (stoppingToken.IsCancellationRequested) return;
        _isLeader = false;
        // Either the Lease could not be renewed within the deadline (another replica may take it once
        // it expires) or the election itself failed: stop everything and come back as a follower.
        _logger.LogCritical("Lost the leader Lease {Lease}: stopping leader-only work and this process, to restart as a follower", _options.LeaseName);
        Environment.ExitCode = 3;
        _lifetime?.StopApplication();
    }

    private void BecomeLeader()
    {
        _isLeader = true;
        _leader = Identity;
        Interlocked.Increment(ref _transitions);
        if (Elects) _logger.LogInformation("This replica ({Identity}) leads: starting the work that runs once", Identity);
        _leading.TrySetResult();
        StartedLeading?.Invoke();
    }
}
