namespace CniDashboard.Simulator.KubeApi.Store;

/// <summary>One page of a list: its items (in key order), the list's resourceVersion and the token for the rest.</summary>
internal sealed record ListPage(long ResourceVersion, IReadOnlyList<StoredObject> Items, string? Continue, long? RemainingItemCount);

/// <summary>What a list or watch selects.</summary>
internal sealed record ListQuery(string? Namespace, Selectors.LabelSelector Labels, Selectors.FieldSelector Fields)
{
    public static ListQuery Of(string? @namespace, string? labelSelector, string? fieldSelector) =>
        new(string.IsNullOrEmpty(@namespace) ? null : @namespace, Selectors.LabelSelector.Parse(labelSelector), Selectors.FieldSelector.Parse(fieldSelector));

    public bool SelectsEverything => Labels.IsEmpty && Fields.IsEmpty;

    public string CacheKey => $"{Namespace}|{Labels}|{Fields}";
}
