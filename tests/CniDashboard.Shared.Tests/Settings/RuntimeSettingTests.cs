using CniDashboard.Shared.Settings;

namespace CniDashboard.Shared.Tests.Settings;

public sealed class RuntimeSettingTests
{
    [Fact]
    public void The_remediation_settings_have_the_issues_defaults()
    {
        Assert.True(DashboardSettings.TwoPersonRule.Default);
        Assert.Equal(1, DashboardSettings.RequiredApprovals.Default);
        Assert.Equal(TimeSpan.FromHours(24), DashboardSettings.ApprovalLifetime.Default);
        Assert.Equal(["true", "1", "24h"], DashboardSettings.All.Select(s => s.DefaultText));
        Assert.Equal(DashboardSettings.All.Count, DashboardSettings.All.Select(s => s.Name).Distinct().Count());
        Assert.Same(DashboardSettings.ApprovalLifetime, DashboardSettings.Find("ApprovalLifetime"));
        Assert.Null(DashboardSettings.Find("approvallifetime"));
    }

    [Theory]
    [InlineData("TwoPersonRule", " False ", "false")]
    [InlineData("RequiredApprovals", "3", "3")]
    [InlineData("ApprovalLifetime", "48h", "2d")]
    [InlineData("ApprovalLifetime", "1440m", "24h")]
    [InlineData("ApprovalLifetime", "90m", "90m")]
    [InlineData("ApprovalLifetime", "1.12:00:00", "36h")]
    [InlineData("ApprovalLifetime", "30d", "30d")]
    public void Values_are_normalized(string name, string typed, string stored)
    {
        Assert.True(DashboardSettings.Find(name)!.TryNormalize(typed, out var normalized, out var error), error);
        Assert.Equal(stored, normalized);
    }

    [Theory]
    [InlineData("TwoPersonRule", "yes")]
    [InlineData("RequiredApprovals", "0")]
    [InlineData("RequiredApprovals", "11")]
    [InlineData("RequiredApprovals", "two")]
    [InlineData("ApprovalLifetime", "4m")]
    [InlineData("ApprovalLifetime", "31d")]
    [InlineData("ApprovalLifetime", "99999999999d")]
    [InlineData("ApprovalLifetime", "-1h")]
    [InlineData("ApprovalLifetime", "")]
    public void Values_out_of_range_are_refused_with_the_range(string name, string typed)
    {
        var setting = DashboardSettings.Find(name)!;

        Assert.False(setting.TryNormalize(typed, out _, out var error));
        Assert.Contains(setting.Range, error, StringComparison.Ordinal);
    }

    [Fact]
    public void A_stored_value_no_longer_accepted_reads_as_the_default()
    {
        Assert.Equal(TimeSpan.FromHours(24), DashboardSettings.ApprovalLifetime.ValueOf("999d"));
        Assert.Equal(2, DashboardSettings.RequiredApprovals.ValueOf("2"));
        Assert.True(DashboardSettings.TwoPersonRule.ValueOf(null));
    }
}
