using System.Globalization;
using CniDashboard.Shared.Remediation;

namespace CniDashboard.Client.Model;

/// <summary>
/// What the remediation wizard has put together so far: the finding to fix, the nodes in their order
/// (what the planner proposed, less the nodes taken out), and the options as typed. Pure: the wizard
/// page renders it and sends <see cref="Request"/> to the service.
/// </summary>
public sealed class PlanWizardState
{
    private readonly List<string> _order = [];

    /// <summary>Starts from the address: rule, optional plugin, optional comma-separated nodes.</summary>
    public PlanWizardState(string rule, string? plugin, string? nodes)
    {
        Rule = rule;
        Plugin = string.IsNullOrWhiteSpace(plugin) ? null : plugin.Trim();
        AskedNodes = Split(nodes);
    }

    /// <summary>The rule to fix.</summary>
    public string Rule { get; }

    /// <summary>Only the findings about this plugin, or null.</summary>
    public string? Plugin { get; }

    /// <summary>The nodes the address named (empty: every node that shows the finding).</summary>
    public IReadOnlyList<string> AskedNodes { get; }

    /// <summary>The first proposal (the planner's nodes, canary first, and those it cannot plan).</summary>
    public PlanProposal? Proposal { get; private set; }

    /// <summary>The nodes in the plan, in order.</summary>
    public IReadOnlyList<string> Order => _order;

    /// <summary>The options as they stand (the text fields below are parsed into them).</summary>
    public RemediationOptions Options { get; private set; } = new();

    /// <summary>The verification window, in seconds, as typed.</summary>
    public string VerificationSeconds { get; private set; } = "60";

    /// <summary>The blast radius (most unhealthy nodes at once), as typed.</summary>
    public string MaxUnhealthy { get; private set; } = "1";

    /// <summary>Nodes worked on at once, as typed.</summary>
    public string InFlight { get; private set; } = "1";

    /// <summary>Takes the planner's first answer: its nodes (canary first) become the order.</summary>
    public void Start(PlanProposal proposal)
    {
        ArgumentNullException.ThrowIfNull(proposal);
        Proposal = proposal;
        Options = proposal.Options;
        VerificationSeconds = Seconds(Options.VerificationWindow);
        MaxUnhealthy = Number(Options.MaxUnhealthyNodes);
        InFlight = Number(Options.MaxNodesInFlight);
        _order.Clear();
        _order.AddRange(proposal.Nodes.Select(n => n.Node));
    }

    /// <summary>The proposed node named <paramref name="node"/>.</summary>
    public NodeRemediation? Node(string node) => Proposal?.Nodes.FirstOrDefault(n => n.Node == node);

    /// <summary>Nodes proposed but taken out.</summary>
    public IReadOnlyList<string> Removed => Proposal is null ? [] : [.. Proposal.Nodes.Select(n => n.Node).Where(n => !_order.Contains(n))];

    /// <summary>Takes a node out (one must stay).</summary>
    public void Remove(string node)
    {
        if (_order.Count > 1)
        {
            _order.Remove(node);
        }
    }

    /// <summary>Puts a removed node back at the end.</summary>
    public void Restore(string node)
    {
        if (Proposal?.Nodes.Any(n => n.Node == node) == true && !_order.Contains(node))
        {
            _order.Add(node);
        }
    }

    /// <summary>
    /// Moves a node up (-1) or down (+1). A hand-made order is kept as it is: the canary is then the
    /// first node the person put first, so "canary first" is switched off.
    /// </summary>
    public void Move(string node, int by)
    {
        var from = _order.IndexOf(node);
        var to = from + by;
        if (from < 0 || to < 0 || to >= _order.Count)
        {
            return;
        }

        _order.RemoveAt(from);
        _order.Insert(to, node);
        Options = Options with { CanaryFirst = false };
    }

    /// <summary>Switches "canary first" (the node with the most sandbox errors first); on, it puts that node first.</summary>
    public void SetCanaryFirst(bool on)
    {
        Options = Options with { CanaryFirst = on };
        if (on && Proposal is not null && _order.Count > 1)
        {
            var canary = _order.OrderByDescending(n => Node(n)?.SandboxErrors ?? 0).First();
            _order.Remove(canary);
            _order.Insert(0, canary);
        }
    }

    /// <summary>Sets cordoning.</summary>
    public void SetCordon(bool on) => Options = Options with { CordonNodes = on };

    /// <summary>Sets the hold after the canary.</summary>
    public void SetHoldAfterCanary(bool on) => Options = Options with { HoldAfterCanary = on };

    /// <summary>Sets the probe pod criterion.</summary>
    public void SetProbePod(bool on) => Options = Options with { Success = Options.Success with { ProbePodRunning = on } };

    /// <summary>Types the verification window in seconds.</summary>
    public void TypeVerificationSeconds(string? text)
    {
        VerificationSeconds = text?.Trim() ?? "";
        if (TryNumber(VerificationSeconds, out var seconds))
        {
            Options = Options with { VerificationWindow = TimeSpan.FromSeconds(seconds) };
        }
    }

    /// <summary>Types the blast radius.</summary>
    public void TypeMaxUnhealthy(string? text)
    {
        MaxUnhealthy = text?.Trim() ?? "";
        if (TryNumber(MaxUnhealthy, out var value))
        {
            Options = Options with { MaxUnhealthyNodes = value };
        }
    }

    /// <summary>Types the nodes in flight.</summary>
    public void TypeInFlight(string? text)
    {
        InFlight = text?.Trim() ?? "";
        if (TryNumber(InFlight, out var value))
        {
            Options = Options with { MaxNodesInFlight = value };
        }
    }

    /// <summary>Everything wrong with the options as typed: numbers that are not numbers, then the options' own problems.</summary>
    public IReadOnlyList<string> OptionProblems()
    {
        var problems = new List<string>();
        if (!TryNumber(VerificationSeconds, out _)) problems.Add("the verification window must be a whole number of seconds");
        if (!TryNumber(MaxUnhealthy, out _)) problems.Add("the most unhealthy nodes at once must be a whole number");
        if (!TryNumber(InFlight, out _)) problems.Add("the nodes worked on at once must be a whole number");
        problems.AddRange(Options.Problems());
        return problems;
    }

    /// <summary>What to ask the service for: the rule, the nodes in order, the options.</summary>
    public PlanDraftRequest Request() => new() { Rule = Rule, Plugin = Plugin, Nodes = [.. _order], Options = Options };

    /// <summary>The first request: the nodes the address named, default options.</summary>
    public PlanDraftRequest FirstRequest() => new() { Rule = Rule, Plugin = Plugin, Nodes = AskedNodes };

    private static IReadOnlyList<string> Split(string? nodes) =>
        string.IsNullOrWhiteSpace(nodes) ? [] : [.. nodes.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Distinct(StringComparer.Ordinal)];

    private static bool TryNumber(string text, out int value) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out value);

    private static string Seconds(TimeSpan span) => ((int)span.TotalSeconds).ToString(CultureInfo.InvariantCulture);

    private static string Number(int value) => value.ToString(CultureInfo.InvariantCulture);
}
