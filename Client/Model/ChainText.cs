namespace CniDashboard.Client.Model;

/// <summary>The plugin chain written the way engineers say it: <c>aws-cni → egress-cni → portmap</c>.</summary>
public static class ChainText
{
    /// <summary>The arrow between plugins (ADD order, left to right).</summary>
    public const string Arrow = " → ";

    /// <summary>Shown when a node has no loaded configuration, so an empty cell is never ambiguous.</summary>
    public const string NoChain = "no working config";

    /// <summary>Shown instead of a chain when the node's files have never been read: unknown, which is not "no config".</summary>
    public const string NotRead = "not read yet";

    /// <summary>Joins plugin types in ADD order.</summary>
    public static string Format(IReadOnlyList<string>? chain) =>
        chain is null || chain.Count == 0 ? NoChain : string.Join(Arrow, chain);

    /// <summary>
    /// The chain cut into the pieces a narrow cell may wrap between: each plugin with the arrow that follows it
    /// (<c>aws-cni →</c>, <c>egress-cni →</c>, <c>linkerd-cni</c>), so a line never breaks inside a plugin's name
    /// or starts with an arrow. Joined with single spaces they read exactly as <see cref="Format"/>.
    /// </summary>
    public static IReadOnlyList<string> WrapPieces(IReadOnlyList<string>? chain)
    {
        if (chain is null || chain.Count == 0)
        {
            return [NoChain];
        }

        var pieces = new string[chain.Count];
        for (var i = 0; i < chain.Count; i++)
        {
            pieces[i] = i < chain.Count - 1 ? chain[i] + Arrow.TrimEnd() : chain[i];
        }

        return pieces;
    }
}
