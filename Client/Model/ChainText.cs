namespace CniDashboard.Client.Model;

/// <summary>The plugin chain written the way engineers say it: <c>aws-cni → egress-cni → portmap</c>.</summary>
public static class ChainText
{
    /// <summary>The arrow between plugins (ADD order, left to right).</summary>
    public const string Arrow = " → ";

    /// <summary>Shown when a node has no loaded configuration, so an empty cell is never ambiguous.</summary>
    public const string NoChain = "no working config";

    /// <summary>Joins plugin types in ADD order.</summary>
    public static string Format(IReadOnlyList<string>? chain) =>
        chain is null || chain.Count == 0 ? NoChain : string.Join(Arrow, chain);
}
