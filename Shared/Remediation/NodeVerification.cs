using CniDashboard.Shared.Analysis;
using CniDashboard.Shared.Cni;

namespace CniDashboard.Shared.Remediation;

/// <summary>What the engine saw of a node during its verification window.</summary>
public sealed record VerificationObservation
{
    /// <summary>When it looked.</summary>
    public required DateTimeOffset Now { get; init; }

    /// <summary>The findings of a snapshot fetched now (not at the next poll).</summary>
    public required IReadOnlyList<Finding> Findings { get; init; }

    /// <summary>That snapshot's files (a rollback is judged on their hashes).</summary>
    public IReadOnlyList<CniFolderFile> Files { get; init; } = [];

    /// <summary><c>FailedCreatePodSandBox</c> events on the node since the window opened.</summary>
    public int SandboxFailuresSinceWindowStart { get; init; }

    /// <summary>The probe pod's phase (<c>Pending</c>, <c>Running</c>, <c>Failed</c>…); null when there is none yet.</summary>
    public string? ProbePodPhase { get; init; }
}

/// <summary>How verification stands.</summary>
public enum VerdictKind
{
    /// <summary>Nothing wrong so far; keep watching until the window ends.</summary>
    Continue,

    /// <summary>The window is over and every criterion held.</summary>
    Passed,

    /// <summary>A criterion failed; fail the step with the message.</summary>
    Failed,
}

/// <summary>A verification verdict.</summary>
/// <param name="Kind">Continue, passed or failed.</param>
/// <param name="Message">Why, in a sentence.</param>
public sealed record VerificationVerdict(VerdictKind Kind, string Message);

/// <summary>
/// Judges a node's verification window from what the engine observed: the targeted finding must be
/// gone and stay gone (a linkerd-cni pod that re-installs a fresh entry bound to itself is the healthy
/// end state; an installer writing the stale entry back is the finding again), no new sandbox failures,
/// no critical finding the prediction did not expect, and the probe pod Running — as the options ask.
/// The engine calls it at each observation; any failure ends the window early.
/// </summary>
public static class NodeVerification
{
    /// <summary>Judges a fix.</summary>
    public static VerificationVerdict Judge(NodeRemediation node, RemediationOptions options, VerificationObservation observed)
    {
        var end = node.WindowEnd ?? throw new RemediationRefusal(RefusalCodes.InvalidState, $"node {node.Node} has no verification window open");
        var back = observed.Findings.FirstOrDefault(f => node.Targets.Any(t => t.Matches(f)));
        if (back is not null) return Fail($"the finding is back: {back.Message}");
        if (options.Success.NoNewSandboxFailures && observed.SandboxFailuresSinceWindowStart > 0)
            return Fail($"{observed.SandboxFailuresSinceWindowStart} new FailedCreatePodSandBox event(s) on the node since {node.WindowStart:u}");
        if (options.Success.NoUnexpectedCriticalFindings)
        {
            var expected = node.Prediction.Remaining.Where(f => f.Severity == Severity.Critical).ToArray();
            var unexpected = observed.Findings.FirstOrDefault(f => f.Severity == Severity.Critical
                && !expected.Any(e => e.Rule == f.Rule && e.File == f.File && e.Plugin == f.Plugin));
            if (unexpected is not null) return Fail($"a critical finding the prediction did not expect: {unexpected.Rule}: {unexpected.Message}");
        }
        if (options.Success.ProbePodRunning)
        {
            if (observed.ProbePodPhase is "Failed") return Fail($"probe pod {node.ProbePod} failed");
            if (observed.Now >= end && observed.ProbePodPhase != "Running")
                return Fail($"probe pod {node.ProbePod} did not reach Running within the window ({observed.ProbePodPhase ?? "not created"})");
        }
        return observed.Now >= end
            ? new VerificationVerdict(VerdictKind.Passed, "finding gone and not back" + (options.Success.NoNewSandboxFailures ? ", no new sandbox failures" : "") + (options.Success.ProbePodRunning ? ", probe pod Running" : ""))
            : new VerificationVerdict(VerdictKind.Continue, $"watching until {end:u}");
    }

    /// <summary>
    /// Judges a rollback. The agent confirmed each restore wrote the original bytes (its answer names
    /// their hash); the window then watches: a file that still holds what the plan wrote fails (the
    /// restore did not take). A file with other bytes was re-written since by someone else — typically
    /// the CNI component's installer, which watches the folder and re-inserts its own entry — which the
    /// rollback does not fight: it passes and says so.
    /// </summary>
    public static VerificationVerdict JudgeRollback(NodeRemediation node, VerificationObservation observed)
    {
        ArgumentNullException.ThrowIfNull(node);
        ArgumentNullException.ThrowIfNull(observed);
        var end = node.WindowEnd ?? throw new RemediationRefusal(RefusalCodes.InvalidState, $"node {node.Node} has no verification window open");
        var rewritten = new List<string>();
        foreach (var change in node.Applied.Skip(node.Applied.Count - node.Restored.Count))
        {
            var file = observed.Files.FirstOrDefault(f => f.Name == change.File);
            if (file?.Sha256 == change.PreviousSha256) continue;
            if (file?.Sha256 == change.NewSha256)
                return Fail($"{change.File} is not back to its original bytes: it still holds what the plan wrote (sha256 {change.NewSha256 ?? "absent"})");
            rewritten.Add($"{change.File} (now sha256 {file?.Sha256 ?? "absent"})");
        }
        if (observed.Now < end) return new VerificationVerdict(VerdictKind.Continue, $"watching until {end:u}");
        return new VerificationVerdict(VerdictKind.Passed, rewritten.Count == 0
            ? "every file back to its original bytes"
            : $"every file restored to its original bytes; re-written since by another writer (e.g. the CNI component re-installing its entry), which the rollback leaves alone: {string.Join(", ", rewritten)}");
    }

    private static VerificationVerdict Fail(string message) => new(VerdictKind.Failed, message);
}
