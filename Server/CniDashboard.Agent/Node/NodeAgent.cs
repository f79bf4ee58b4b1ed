using System.Buffers;
using System.Security.Cryptography;
using System.Text;
using CniDashboard.Shared.Agent;
using CniDashboard.Shared.Cni;
using CniDashboard.Shared.Kubeconfig;
using Microsoft.Extensions.Logging.Abstractions;

namespace CniDashboard.Agent.Node;

/// <summary>
/// One node's agent: serves the snapshot of its CNI folder from a cache (rebuilt only after the
/// folder changed), and applies or restores one file at a time with a backup first and an atomic
/// rename. Knows nothing about HTTP, so one process can run one per simulated node.
/// </summary>
public sealed class NodeAgent : IAsyncDisposable
{
    private const int MaxReasonLength = 200;
    private const int MaxEchoLength = 64;
    private static readonly SearchValues<char> IdCharacters =
        SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-");
    private readonly NodeAgentOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly string _cniDir;
    private readonly SnapshotBuilder _builder;
    private readonly BackupStore _backups;
    private readonly ChangeJournal _journal;
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private readonly Lock _buildGate = new();
    private readonly CancellationTokenSource _disposed = new();
    private readonly List<FileSystemWatcher> _watchers = [];
    private readonly ITimer? _rescanTimer;
    private long _changeVersion;
    private volatile CachedSnapshot? _cached;
    private volatile bool _lastBuildFailed;
    private Task<CachedSnapshot>? _build;
    private long _buildStartedAt;

    /// <summary>
    /// Starts serving a node: checks the folders, removes temp files an interrupted write left,
    /// loads backups and the change journal, starts the watcher and the rescan timer.
    /// Throws <see cref="ArgumentException"/> on options that would be unsafe (backups inside the CNI folder).
    /// </summary>
    public NodeAgent(NodeAgentOptions options, TimeProvider? time = null, ILogger<NodeAgent>? logger = null)
    {
        _options = options;
        _time = time ?? TimeProvider.System;
        _logger = logger ?? NullLogger<NodeAgent>.Instance;
        _cniDir = Path.TrimEndingDirectorySeparator(Path.GetFullPath(options.CniDir));
        if (!Directory.Exists(_cniDir)) throw new ArgumentException($"CNI folder not found: {_cniDir}", nameof(options));
        var backupDir = Path.TrimEndingDirectorySeparator(Path.GetFullPath(options.BackupDir));
        if (backupDir == _cniDir || CniFolderReader.IsInside(_cniDir, backupDir))
            throw new ArgumentException($"backup folder {backupDir} must not be inside the CNI folder {_cniDir}", nameof(options));
        if (options.MaxBackups < 1) throw new ArgumentException("MaxBackups must be at least 1", nameof(options));
        if (options.MaxPinnedBackups < 0) throw new ArgumentException("MaxPinnedBackups must not be negative", nameof(options));

        foreach (var stray in AtomicFileWriter.RemoveStrayTempFiles(_cniDir)) AgentLog.StrayTempRemoved(_logger, stray, options.NodeName);
        _builder = new SnapshotBuilder(options with { CniDir = _cniDir }, _time);
        _backups = new BackupStore(options with { BackupDir = backupDir }, _time);
        _journal = new ChangeJournal(backupDir, options.MaxRememberedChanges);

        if (options.WatchFolder)
        {
            Watch(_cniDir);
            if (options.BinDir is { } bin && Directory.Exists(bin)) Watch(bin);
        }
        if (options.RescanInterval != Timeout.InfiniteTimeSpan && options.RescanInterval > TimeSpan.Zero)
            _rescanTimer = _time.CreateTimer(_ => Invalidate(), null, options.RescanInterval, options.RescanInterval);
    }

    /// <summary>The node this agent serves.</summary>
    public string NodeName => _options.NodeName;

    /// <summary>
    /// False when the last attempt to read the folder failed, or when a read has been running for
    /// longer than <see cref="NodeAgentOptions.SnapshotDeadline"/> (a hung file system).
    /// </summary>
    public bool IsReady => !_lastBuildFailed && !IsBuildOverdue;

    private bool IsBuildOverdue
    {
        get
        {
            lock (_buildGate)
            {
                return _build is { IsCompleted: false } && _time.GetElapsedTime(_buildStartedAt) > _options.SnapshotDeadline;
            }
        }
    }

    /// <summary>
    /// Drops the cached snapshot; the next read rebuilds it. Called by the watcher, the rescan
    /// timer and every write; a host watching many folders itself calls it directly.
    /// </summary>
    public void Invalidate()
    {
        Interlocked.Increment(ref _changeVersion);
        Invalidated?.Invoke();
    }

    /// <summary>
    /// Raised on every <see cref="Invalidate"/> (a watcher event, a rescan, a write), on the caller's
    /// thread: the folder may have changed. Handlers must return at once (the announcer only arms a timer).
    /// </summary>
    public event Action? Invalidated;

    /// <summary>
    /// For <c>/readyz</c>: true when a current snapshot can be served — from the cache, or read
    /// within the deadline. False at once while a read is already overdue.
    /// </summary>
    public async Task<bool> CheckReadyAsync(CancellationToken cancellationToken)
    {
        if (IsBuildOverdue) return false;
        try
        {
            await GetSnapshotAsync(cancellationToken);
            return true;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or TimeoutException)
        {
            return false;
        }
    }

    /// <summary>
    /// The current snapshot: from the cache when nothing changed since it was built (no disk
    /// access at all), otherwise read from disk. One read runs at a time, on a thread of its own;
    /// callers wait for it at most <see cref="NodeAgentOptions.SnapshotDeadline"/>, so a read that
    /// hangs never holds a request (or the process's shutdown). Throws <see cref="IOException"/> or
    /// <see cref="UnauthorizedAccessException"/> when the folder cannot be read, and
    /// <see cref="TimeoutException"/> when the read takes longer than the deadline.
    /// </summary>
    public async ValueTask<CachedSnapshot> GetSnapshotAsync(CancellationToken cancellationToken)
    {
        var cached = _cached;
        // The version asked for: a change seen before this call must be in the answer.
        var wanted = Volatile.Read(ref _changeVersion);
        if (cached is not null && cached.Version == wanted) return cached;

        var started = _time.GetTimestamp();
        while (true)
        {
            Task<CachedSnapshot> build;
            lock (_buildGate)
            {
                cached = _cached;
                if (cached is not null && cached.Version >= wanted) return cached;
                if (_build is null || _build.IsCompleted)
                {
                    // Read the version before the folder: an event during the read leaves the cache stale.
                    var version = Volatile.Read(ref _changeVersion);
                    _buildStartedAt = _time.GetTimestamp();
                    _build = Task.Run(() => Build(version), CancellationToken.None);
                }
                build = _build;
            }

            var remaining = _options.SnapshotDeadline - _time.GetElapsedTime(started);
            if (remaining <= TimeSpan.Zero) throw Overdue();
            CachedSnapshot built;
            try
            {
                built = await build.WaitAsync(remaining, _time, cancellationToken);
            }
            catch (TimeoutException)
            {
                throw Overdue();
            }
            // A read that began before the change this caller saw: read again.
            if (built.Version >= wanted) return built;
        }
    }

    private TimeoutException Overdue()
    {
        AgentLog.SnapshotOverdue(_logger, _options.NodeName, _options.SnapshotDeadline.TotalSeconds);
        return new TimeoutException($"reading the CNI folder took longer than {_options.SnapshotDeadline.TotalSeconds:0.###} s");
    }

    private CachedSnapshot Build(long version)
    {
        try
        {
            var built = _builder.Build(version, _disposed.Token);
            lock (_buildGate)
            {
                if (_cached is null || built.Version >= _cached.Version) _cached = built;
            }
            _lastBuildFailed = false;
            return built;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            _lastBuildFailed = true;
            AgentLog.SnapshotFailed(_logger, _options.NodeName, ex.Message);
            throw;
        }
    }

    /// <summary>The backups kept for this node, newest first.</summary>
    public async Task<IReadOnlyList<BackupInfo>> ListBackupsAsync(CancellationToken cancellationToken)
    {
        await _writeLock.WaitAsync(cancellationToken);
        try
        {
            return _backups.List().Select(r => r.ToInfo()).ToList();
        }
        finally
        {
            _writeLock.Release();
        }
    }

    /// <summary>Replaces one existing config file with new content (see the agent API for every refusal).</summary>
    public Task<FileChangeOutcome> ApplyAsync(string name, ApplyFileRequest request, string caller, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var content = Encoding.UTF8.GetBytes(request.Content ?? "");
        var requestHash = HashOf("apply", name, request.ExpectedSha256, Convert.ToHexStringLower(SHA256.HashData(content)));
        var change = new PendingChange("apply", name ?? "", request.ChangeId ?? "", request.ExpectedSha256 ?? "", requestHash, caller, CleanReason(request.Reason), AnyFile: false);
        return ChangeAsync(change, () => CheckContent(change.File, request.Content, content), _ => content, cancellationToken);
    }

    /// <summary>
    /// Deletes one file of the folder — any regular file with one link, not only a configuration
    /// (a stray copy, a leftover kubeconfig) — after a backup, under the same precondition and change id.
    /// </summary>
    public Task<FileChangeOutcome> DeleteAsync(string name, DeleteFileRequest request, string caller, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var requestHash = HashOf("delete", name, request.ExpectedSha256);
        var change = new PendingChange("delete", name ?? "", request.ChangeId ?? "", request.ExpectedSha256 ?? "", requestHash, caller, CleanReason(request.Reason), AnyFile: true);
        return ChangeAsync(change, () => null, _ => null, cancellationToken);
    }

    /// <summary>
    /// Puts a backup back over the file it was taken of (with a backup of what it replaces), or
    /// recreates the file when a delete removed it (<see cref="RestoreFileRequest.ExpectedSha256"/> null).
    /// The backup restored is never evicted by the backup this restore takes.
    /// </summary>
    public Task<FileChangeOutcome> RestoreAsync(string name, RestoreFileRequest request, string caller, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var requestHash = HashOf("restore", name, request.ExpectedSha256 ?? "(absent)", request.BackupId);
        var change = new PendingChange("restore", name ?? "", request.ChangeId ?? "", request.ExpectedSha256, requestHash, caller,
            $"restore of backup {(IsId(request.BackupId) ? request.BackupId : "(invalid id)")}", AnyFile: true, Restoring: request.BackupId);
        byte[]? restored = null;
        return ChangeAsync(change, () =>
        {
            if (!IsId(request.BackupId) || _backups.Find(request.BackupId!) is not { } backup)
                return FileChangeOutcome.Fail(StatusCodes.Status404NotFound, AgentErrorCodes.BackupNotFound, $"no backup '{Echo(request.BackupId)}' on node {NodeName}");
            if (backup.File != name)
                return FileChangeOutcome.Fail(StatusCodes.Status400BadRequest, AgentErrorCodes.BackupMismatch, $"backup '{backup.Id}' is of {backup.File}, not {Echo(name)}");
            try
            {
                restored = _backups.ReadContent(backup);
            }
            catch (Exception ex) when (ex is IOException or InvalidDataException or UnauthorizedAccessException)
            {
                return FileChangeOutcome.Fail(StatusCodes.Status422UnprocessableEntity, AgentErrorCodes.BackupNotFound, $"backup '{backup.Id}' cannot be read: {ex.Message}");
            }
            return null;
        }, _ => restored!, cancellationToken);
    }

    /// <summary>Pins a backup for the request's owner (e.g. a plan that may roll back to it).</summary>
    public Task<BackupOutcome> PinBackupAsync(string id, PinBackupRequest request, string caller, CancellationToken cancellationToken) =>
        ChangePinAsync("pin", id, request, caller, owner => _backups.Pin(id, owner), cancellationToken);

    /// <summary>Removes <paramref name="request"/>'s owner from a backup's pins.</summary>
    public Task<BackupOutcome> UnpinBackupAsync(string id, PinBackupRequest request, string caller, CancellationToken cancellationToken) =>
        ChangePinAsync("unpin", id, request, caller, owner => _backups.Unpin(id, owner), cancellationToken);

    private async Task<BackupOutcome> ChangePinAsync(string operation, string id, PinBackupRequest request, string caller, Func<string, PinResult> change, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (!IsId(request.Owner))
            return BackupOutcome.Fail(StatusCodes.Status400BadRequest, AgentErrorCodes.InvalidRequest,
                "owner must be 1-128 characters of letters, digits, '.', '_' or '-', starting with a letter or digit");
        if (!IsId(id)) return BackupOutcome.Fail(StatusCodes.Status404NotFound, AgentErrorCodes.BackupNotFound, $"no backup '{Echo(id)}' on node {NodeName}");
        await _writeLock.WaitAsync(cancellationToken);
        try
        {
            var result = change(request.Owner);
            switch (result.Status)
            {
                case PinStatus.NotFound:
                    return BackupOutcome.Fail(StatusCodes.Status404NotFound, AgentErrorCodes.BackupNotFound, $"no backup '{Echo(id)}' on node {NodeName}");
                case PinStatus.LimitReached:
                    return BackupOutcome.Fail(StatusCodes.Status409Conflict, AgentErrorCodes.PinLimit,
                        $"node {NodeName} already holds {_options.MaxPinnedBackups} pinned backups (or this one has {BackupStore.MaxOwnersPerBackup} owners); unpin what finished plans no longer need");
            }
            AgentLog.BackupPinChanged(_logger, operation, id, NodeName, request.Owner, caller);
            return BackupOutcome.Ok(result.Record!.ToInfo());
        }
        finally
        {
            _writeLock.Release();
        }
    }

    private async Task<FileChangeOutcome> ChangeAsync(PendingChange change, Func<FileChangeOutcome?> precheck, Func<byte[]?, byte[]?> newContent, CancellationToken cancellationToken)
    {
        if (!IsId(change.ChangeId))
            return Refuse(change, FileChangeOutcome.Fail(StatusCodes.Status400BadRequest, AgentErrorCodes.InvalidRequest,
                "changeId must be 1-128 characters of letters, digits, '.', '_' or '-', starting with a letter or digit"));
        if (!(IsSha256(change.ExpectedSha256) || (change.ExpectedSha256 is null && change.Restoring is not null)))
            return Refuse(change, FileChangeOutcome.Fail(StatusCodes.Status400BadRequest, AgentErrorCodes.InvalidRequest, "expectedSha256 must be 64 lower-case hex characters"));
        if (Replay(change) is { } early) return early;

        await _writeLock.WaitAsync(cancellationToken);
        try
        {
            // Checked again under the lock: a concurrent request may have completed this change.
            if (Replay(change) is { } replay) return replay;
            if (CheckTarget(change) is { } badTarget)
            {
                // A delete that removed the file but stopped before its journal line: done already.
                if (badTarget.Error?.Code == AgentErrorCodes.NotFound && RecoverInterrupted(change, null) is { } deleted) return deleted;
                return Refuse(change, badTarget);
            }
            if (precheck() is { } refused) return Refuse(change, refused);

            var target = Path.Combine(_cniDir, change.File);
            byte[]? current = null;
            if (File.Exists(target) || new FileInfo(target).LinkTarget is not null)
            {
                try
                {
                    current = ReadTarget(target, cancellationToken);
                }
                catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
                {
                    AgentLog.WriteFailed(_logger, change.Operation, change.File, NodeName, change.ChangeId, change.Caller, ex.Message);
                    return FileChangeOutcome.Fail(StatusCodes.Status500InternalServerError, AgentErrorCodes.WriteFailed,
                        $"{Echo(change.File)} could not be read for its backup; nothing was written: {ex.Message}");
                }
            }
            var currentSha = current is null ? null : Convert.ToHexStringLower(SHA256.HashData(current));
            if (currentSha != change.ExpectedSha256)
            {
                if (RecoverInterrupted(change, currentSha) is { } recovered) return recovered;
                var message = currentSha is null ? $"{Echo(change.File)} does not exist; expected sha256 {change.ExpectedSha256}"
                    : change.ExpectedSha256 is null ? $"{Echo(change.File)} exists (sha256 {currentSha}); the restore expected it absent"
                    : $"{Echo(change.File)} has sha256 {currentSha}, not the expected {change.ExpectedSha256}";
                // The file holds bytes the caller did not expect: the cached snapshot may not have seen them
                // yet (the watcher lags a write by a moment), and the caller's next read must.
                Invalidate();
                return Refuse(change, FileChangeOutcome.Fail(StatusCodes.Status409Conflict, AgentErrorCodes.ShaMismatch, message, currentSha));
            }

            var next = newContent(current);
            var nextSha = next is null ? null : Convert.ToHexStringLower(SHA256.HashData(next));
            var restoring = change.Restoring is null ? null : _backups.Find(change.Restoring);
            var mode = current is not null && !OperatingSystem.IsWindows() ? CniFolderReader.FormatMode(File.GetUnixFileMode(target)) : restoring?.Mode;
            var backup = current is null ? null : _backups.Save(change.ChangeId, change.File, current, mode, nextSha, change.Operation, change.Reason, keep: change.Restoring);
            try
            {
                if (next is null) AtomicFileWriter.Delete(_cniDir, change.File);
                else await AtomicFileWriter.ReplaceAsync(_cniDir, change.File, next, change.ChangeId, ParseMode(mode), _options.WriteHooks, cancellationToken);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                AgentLog.WriteFailed(_logger, change.Operation, change.File, NodeName, change.ChangeId, change.Caller, ex.Message);
                return FileChangeOutcome.Fail(StatusCodes.Status500InternalServerError, AgentErrorCodes.WriteFailed,
                    $"{change.Operation} of {Echo(change.File)} failed; the file is unchanged: {ex.Message}");
            }
            finally
            {
                Invalidate();
            }

            var result = new FileChangeResult
            {
                ChangeId = change.ChangeId,
                File = change.File,
                PreviousSha256 = currentSha,
                NewSha256 = nextSha,
                BackupId = backup?.Id,
                Operation = change.Operation,
            };
            _journal.Append(new ChangeRecord { ChangeId = change.ChangeId, RequestHash = change.RequestHash, Result = result });
            AgentLog.FileWritten(_logger, change.Operation, change.File, NodeName, change.ChangeId, change.Caller, currentSha ?? "(absent)", nextSha ?? "(deleted)", backup?.Id ?? "-", change.Reason ?? "-");
            return FileChangeOutcome.Ok(result);
        }
        finally
        {
            _writeLock.Release();
        }
    }

    private static UnixFileMode? ParseMode(string? mode)
    {
        if (mode is null || OperatingSystem.IsWindows()) return null;
        try
        {
            return (UnixFileMode)Convert.ToInt32(mode, 8);
        }
        catch (FormatException)
        {
            return null;
        }
    }

    /// <summary>A change id seen before: the same request gets its first result, a different one is refused.</summary>
    private FileChangeOutcome? Replay(PendingChange change)
    {
        if (_journal.Find(change.ChangeId) is not { } done) return null;
        if (done.RequestHash != change.RequestHash)
        {
            return Refuse(change, FileChangeOutcome.Fail(StatusCodes.Status409Conflict, AgentErrorCodes.ChangeIdReused,
                $"change id {change.ChangeId} was already used for a different change"));
        }
        AgentLog.WriteReplayed(_logger, change.Operation, change.File, NodeName, change.ChangeId, change.Caller);
        return FileChangeOutcome.Ok(done.Result with { Replayed = true });
    }

    /// <summary>
    /// The file already holds what this change writes (or is gone, for a delete) and this change's
    /// backup exists: the agent stopped after the rename (or unlink) but before journaling. A restore
    /// of a deleted file takes no backup: the file holding exactly the backup's bytes is the same proof.
    /// Record it and answer as a replay.
    /// </summary>
    private FileChangeOutcome? RecoverInterrupted(PendingChange change, string? currentSha)
    {
        string? previous;
        string? backupId = null;
        if (_backups.FindByChange(change.ChangeId, change.File) is { } backup)
        {
            if (backup.Sha256 != change.ExpectedSha256 || backup.Operation != change.Operation) return null;
            if ((change.Operation == "delete" ? null : backup.NewSha256) != currentSha) return null;
            previous = backup.Sha256;
            backupId = backup.Id;
        }
        else if (change.ExpectedSha256 is null && change.Restoring is not null && _backups.Find(change.Restoring) is { } restored && restored.Sha256 == currentSha)
        {
            previous = null;
        }
        else
        {
            return null;
        }
        var result = new FileChangeResult
        {
            ChangeId = change.ChangeId,
            File = change.File,
            PreviousSha256 = previous,
            NewSha256 = currentSha,
            BackupId = backupId,
            Operation = change.Operation,
        };
        _journal.Append(new ChangeRecord { ChangeId = change.ChangeId, RequestHash = change.RequestHash, Result = result });
        AgentLog.WriteReplayed(_logger, change.Operation, change.File, NodeName, change.ChangeId, change.Caller);
        return FileChangeOutcome.Ok(result with { Replayed = true });
    }

    private FileChangeOutcome? CheckTarget(PendingChange change)
    {
        const int BadRequest = StatusCodes.Status400BadRequest;
        var name = change.File;
        if (!CniFileNames.IsPlainFileName(name))
            return FileChangeOutcome.Fail(BadRequest, AgentErrorCodes.InvalidName, "the name must be a plain file name in the CNI folder (no separators, no '..')");
        var full = Path.GetFullPath(Path.Combine(_cniDir, name));
        if (!CniFolderReader.IsInside(_cniDir, full) || Path.GetDirectoryName(full) != _cniDir)
            return FileChangeOutcome.Fail(BadRequest, AgentErrorCodes.InvalidName, $"'{Echo(name)}' is not a file of the CNI folder");
        if (AtomicFileWriter.IsOwnTempName(name))
            return FileChangeOutcome.Fail(BadRequest, AgentErrorCodes.NotWritable, $"'{Echo(name)}' is the agent's own temp file");
        // A restore that recreates a deleted file expects no file, and a name the backup was of.
        var mayBeAbsent = change.Restoring is not null && change.ExpectedSha256 is null;
        if (TypeRefusal(name, full, mayBeAbsent) is { } refused) return refused;
        if (!change.AnyFile && !CniFileNames.IsCandidate(name))
            return FileChangeOutcome.Fail(BadRequest, AgentErrorCodes.NotWritable, $"'{Echo(name)}' is not a network configuration; only .conf, .conflist and .json files can be written");
        return null;
    }

    /// <summary>
    /// Refuses anything but a regular file with one link, judged from the entry itself (never
    /// followed, never opened): a pipe would block the read, a link or a second hard link would make
    /// the backup (and the 409's hash) a copy of a file outside the folder.
    /// </summary>
    private FileChangeOutcome? TypeRefusal(string name, string full, bool mayBeAbsent)
    {
        const int BadRequest = StatusCodes.Status400BadRequest;
        HostEntryType type;
        var links = 1;
        if (HostFileSystem.IsSupported)
        {
            try
            {
                var facts = HostFileSystem.Lstat(full);
                type = facts.Type;
                links = facts.LinkCount;
            }
            catch (FileNotFoundException)
            {
                return mayBeAbsent ? null : FileChangeOutcome.Fail(StatusCodes.Status404NotFound, AgentErrorCodes.NotFound, $"no file '{Echo(name)}' in the CNI folder of {NodeName}");
            }
        }
        else
        {
            var info = new FileInfo(full);
            if (info.LinkTarget is not null) type = HostEntryType.Symlink;
            else if (Directory.Exists(full)) type = HostEntryType.Directory;
            else if (info.Exists) type = HostEntryType.Regular;
            else return mayBeAbsent ? null : FileChangeOutcome.Fail(StatusCodes.Status404NotFound, AgentErrorCodes.NotFound, $"no file '{Echo(name)}' in the CNI folder of {NodeName}");
        }

        return type switch
        {
            HostEntryType.Directory => FileChangeOutcome.Fail(BadRequest, AgentErrorCodes.InvalidName, $"'{Echo(name)}' is a directory"),
            HostEntryType.Symlink => FileChangeOutcome.Fail(BadRequest, AgentErrorCodes.InvalidName, $"'{Echo(name)}' is a symbolic link; the agent never writes through links"),
            HostEntryType.Regular when links > 1 => FileChangeOutcome.Fail(BadRequest, AgentErrorCodes.NotWritable,
                $"'{Echo(name)}' has {links} hard links; the agent neither reads nor writes a file that may also live outside the folder"),
            HostEntryType.Regular => null,
            _ => FileChangeOutcome.Fail(BadRequest, AgentErrorCodes.NotWritable, $"'{Echo(name)}' is not a regular file ({type}); the agent never opens it"),
        };
    }

    /// <summary>The bytes of a file <see cref="CheckTarget"/> accepted, read without following or blocking; throws <see cref="IOException"/> if it changed meanwhile.</summary>
    private byte[] ReadTarget(string path, CancellationToken cancellationToken)
    {
        var max = (int)Math.Min(int.MaxValue, _options.ReadOptions.MaxHashBytes);
        return HostFileSystem.ReadRegularFile(path, max, cancellationToken);
    }

    /// <summary>
    /// Caller input as an error message may quote it: on one line, secrets redacted, and at most
    /// <see cref="MaxEchoLength"/> characters, so an error never reflects a large input back.
    /// </summary>
    internal static string Echo(string? input)
    {
        if (string.IsNullOrEmpty(input)) return "";
        var head = input.Length > 4096 ? input[..4096] : input;
        var oneLine = string.Create(head.Length, head, (span, text) =>
        {
            for (var i = 0; i < text.Length; i++) span[i] = char.IsControl(text[i]) ? ' ' : text[i];
        });
        var redacted = TokenRedactor.Redact(oneLine);
        return redacted.Length <= MaxEchoLength && head.Length == input.Length ? redacted : redacted[..Math.Min(redacted.Length, MaxEchoLength)] + "…";
    }

    private FileChangeOutcome? CheckContent(string name, string? text, byte[] bytes)
    {
        const int Unprocessable = StatusCodes.Status422UnprocessableEntity;
        if (bytes.Length > _options.ReadOptions.MaxContentBytes)
            return FileChangeOutcome.Fail(Unprocessable, AgentErrorCodes.InvalidContent, $"content is {bytes.Length} bytes; the most the agent writes is {_options.ReadOptions.MaxContentBytes}");
        if (text is null) return FileChangeOutcome.Fail(Unprocessable, AgentErrorCodes.InvalidContent, "content is missing");
        if (text.Contains(TokenRedactor.Marker, StringComparison.Ordinal))
            return FileChangeOutcome.Fail(Unprocessable, AgentErrorCodes.RedactedContent,
                "content holds a redaction placeholder; writing it would replace a real secret with the placeholder");
        var loaded = CniConfigParser.Load(name, text);
        if (!loaded.IsValid)
            return FileChangeOutcome.Fail(Unprocessable, AgentErrorCodes.InvalidContent, $"the runtime would not load this {Echo(Path.GetExtension(name))} file: {loaded.Error}");
        return null;
    }

    private FileChangeOutcome Refuse(PendingChange change, FileChangeOutcome outcome)
    {
        // Refused names and ids are caller input: log them only when they are plain, and redacted.
        var file = CniFileNames.IsPlainFileName(change.File) ? TokenRedactor.Redact(change.File) : "(invalid name)";
        var changeId = IsId(change.ChangeId) ? TokenRedactor.Redact(change.ChangeId) : "(invalid id)";
        AgentLog.WriteRefused(_logger, change.Operation, file, NodeName, changeId, change.Caller, outcome.Error?.Code ?? "-");
        return outcome;
    }

    /// <summary>A change or backup id: 1-128 letters, digits, '.', '_' or '-', starting with a letter or digit.</summary>
    internal static bool IsId(string? value) =>
        value is { Length: > 0 and <= 128 } && char.IsAsciiLetterOrDigit(value[0])
        && value.AsSpan().IndexOfAnyExcept(IdCharacters) < 0;

    private static bool IsSha256(string? value) =>
        value is { Length: 64 } && value.All(c => c is (>= '0' and <= '9') or (>= 'a' and <= 'f'));

    private static string HashOf(params string?[] parts) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(string.Join('\0', parts.Select(p => p ?? "")))));

    private static string? CleanReason(string? reason)
    {
        if (string.IsNullOrWhiteSpace(reason)) return null;
        // The reason is free text from the caller: keep it short, on one line, and free of secrets.
        var oneLine = new string(reason.Select(c => char.IsControl(c) ? ' ' : c).ToArray());
        var redacted = TokenRedactor.Redact(oneLine);
        return redacted.Length <= MaxReasonLength ? redacted : redacted[..MaxReasonLength] + "…";
    }

    private void Watch(string dir)
    {
        try
        {
            var watcher = new FileSystemWatcher(dir)
            {
                IncludeSubdirectories = false,
                NotifyFilter = NotifyFilters.FileName | NotifyFilters.DirectoryName | NotifyFilters.LastWrite
                    | NotifyFilters.Size | NotifyFilters.Attributes | NotifyFilters.Security | NotifyFilters.CreationTime,
            };
            watcher.Changed += (_, _) => Invalidate();
            watcher.Created += (_, _) => Invalidate();
            watcher.Deleted += (_, _) => Invalidate();
            watcher.Renamed += (_, _) => Invalidate();
            watcher.Error += (_, e) =>
            {
                // An overflow means events were lost: treat everything as changed.
                Invalidate();
                AgentLog.WatcherFailed(_logger, NodeName, e.GetException().Message);
            };
            watcher.EnableRaisingEvents = true;
            _watchers.Add(watcher);
        }
        catch (Exception ex) when (ex is IOException or ArgumentException or PlatformNotSupportedException)
        {
            AgentLog.WatcherFailed(_logger, NodeName, ex.Message);
        }
    }

    /// <summary>Stops the watcher and the rescan timer.</summary>
    public async ValueTask DisposeAsync()
    {
        await _disposed.CancelAsync();
        foreach (var watcher in _watchers) watcher.Dispose();
        _watchers.Clear();
        if (_rescanTimer is not null) await _rescanTimer.DisposeAsync();
    }

    // ExpectedSha256 is null only for a restore that recreates a deleted file; AnyFile: any regular
    // file of the folder (delete, restore), not only a configuration (apply); Restoring: the backup a restore puts back.
    private sealed record PendingChange(string Operation, string File, string ChangeId, string? ExpectedSha256, string RequestHash, string Caller, string? Reason,
        bool AnyFile, string? Restoring = null);
}
