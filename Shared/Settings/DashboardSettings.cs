namespace CniDashboard.Shared.Settings;

/// <summary>
/// Every run-time setting, with its default. To add one: declare it here and list it in
/// <see cref="All"/>; the store, the API, the Admin page and the audit trail pick it up.
/// </summary>
public static class DashboardSettings
{
    /// <summary>An approver never approves their own remediation plan.</summary>
    public static BooleanSetting TwoPersonRule { get; } = new()
    {
        Name = "TwoPersonRule",
        Title = "Two-person rule",
        Description = "A remediation plan's author can never approve it: someone else must.",
        Default = true,
    };

    /// <summary>Approvals a plan needs before it may run.</summary>
    public static IntegerSetting RequiredApprovals { get; } = new()
    {
        Name = "RequiredApprovals",
        Title = "Required approvals",
        Description = "How many approvers (other than the author while the two-person rule is on) must approve a plan before it runs.",
        Default = 1,
        Min = 1,
        Max = 10,
    };

    /// <summary>How long an approval stays valid.</summary>
    public static DurationSetting ApprovalLifetime { get; } = new()
    {
        Name = "ApprovalLifetime",
        Title = "Approval lifetime",
        Description = "An approval not used within this time expires, and the plan needs approving again.",
        Default = TimeSpan.FromHours(24),
        Min = TimeSpan.FromMinutes(5),
        Max = TimeSpan.FromDays(30),
    };

    /// <summary>Every setting, in the order the Admin page lists them.</summary>
    public static IReadOnlyList<RuntimeSetting> All { get; } = [TwoPersonRule, RequiredApprovals, ApprovalLifetime];

    /// <summary>The setting with this name, or null.</summary>
    public static RuntimeSetting? Find(string? name) => All.FirstOrDefault(s => string.Equals(s.Name, name, StringComparison.Ordinal));
}
