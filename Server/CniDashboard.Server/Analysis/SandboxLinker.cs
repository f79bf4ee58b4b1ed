using CniDashboard.Server.Fleet;
using CniDashboard.Shared.Analysis;
using CniDashboard.Shared.Dashboard;
using CniDashboard.Shared.Sandbox;

namespace CniDashboard.Server.Analysis;

/// <summary>
/// Links a sandbox failure to the configuration entry behind it: the plugin of that type in the
/// node's primary chain at the time (file and JSON pointer), plus the open finding on that plugin.
/// </summary>
public sealed class SandboxLinker(FleetState fleet)
{
    /// <summary>The link, and the snapshot it was made against; null when the node's files are unknown.</summary>
    public (ConfigEntryLink? Link, long? SnapshotId) Link(string node, SandboxFailure failure)
    {
        var runtime = fleet.Get(node);
        if (runtime?.Latest is not { } latest) return (null, null);
        return (LinkIn(runtime, failure), latest.Header.Id);
    }

    /// <summary>The link within a node's current state.</summary>
    public static ConfigEntryLink? LinkIn(NodeRuntime runtime, SandboxFailure failure)
    {
        var primary = runtime.Latest?.Header.PrimaryFile;
        if (failure.PluginType is { } type)
        {
            // The runtime runs the first plugin of that type it meets; a duplicate later never runs first.
            var plugin = runtime.Chain.FirstOrDefault(p => p.Type == type);
            var finding = WorstOn(runtime.Findings.Where(f => f.Plugin == type && (plugin is null || f.File is null || f.File == plugin.File)));
            if (plugin is not null)
                return new ConfigEntryLink { File = plugin.File, JsonPointer = plugin.JsonPointer, PluginType = type, Rule = finding?.Rule };
            if (finding?.File is { } file)
                return new ConfigEntryLink { File = file, JsonPointer = finding.JsonPointer, PluginType = type, Rule = finding.Rule };
            return primary is null ? null : new ConfigEntryLink { File = primary, PluginType = type };
        }

        if (primary is null) return null;
        // No plugin named (e.g. NetworkNotReady): the primary file itself is behind it.
        var onPrimary = WorstOn(runtime.Findings.Where(f => f.File == primary && f.Plugin is null));
        return new ConfigEntryLink { File = primary, Rule = onPrimary?.Rule };
    }

    private static Finding? WorstOn(IEnumerable<Finding> findings) => findings.OrderByDescending(f => f.Severity).FirstOrDefault();
}
