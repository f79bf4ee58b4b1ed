namespace CniDashboard.Shared.Remediation;

/// <summary>
/// Something the approver must know and acknowledge before approving, from the analyzer's knowledge
/// (e.g. new pods are not meshed until the mesh CNI re-installs its entry). Approvals list the ids
/// they acknowledge; a plan cannot be approved with one left out.
/// </summary>
/// <param name="Id">Stable id within the plan, e.g. <c>unmeshed:linkerd-cni</c>.</param>
/// <param name="Text">The note, in a sentence or two.</param>
/// <param name="Nodes">The nodes it concerns (at most <see cref="MaxNodesListed"/>; <paramref name="NodeCount"/> counts them all).</param>
/// <param name="NodeCount">How many nodes it concerns.</param>
public sealed record RiskNote(string Id, string Text, IReadOnlyList<string> Nodes, int NodeCount)
{
    /// <summary>Most node names a note lists.</summary>
    public const int MaxNodesListed = 20;
}
