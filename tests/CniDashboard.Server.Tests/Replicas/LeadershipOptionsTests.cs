using CniDashboard.Server.Leadership;

namespace CniDashboard.Server.Tests.Replicas;

/// <summary>Leader-election timings under which two replicas could lead at once are refused at start.</summary>
public sealed class LeadershipOptionsTests
{
    [Fact]
    public void The_defaults_are_valid()
    {
        Assert.True(new LeadershipOptionsValidator().Validate(null, new LeadershipOptions()).Succeeded);
    }

    [Theory]
    [InlineData("00:00:15", "00:00:15", "00:00:02", "RenewDeadline must be shorter than LeaseDuration")]
    [InlineData("00:00:15", "00:00:02", "00:00:02", "RenewDeadline must be longer than 1.2 × RetryPeriod")]
    [InlineData("00:00:00.500", "00:00:00.400", "00:00:00.100", "LeaseDuration must be between 1 s and 5 min")]
    [InlineData("00:00:15", "00:00:10", "00:00:00.050", "RetryPeriod must be at least 100 ms")]
    public void Timings_that_could_let_two_replicas_lead_are_refused(string lease, string renew, string retry, string reason)
    {
        var options = new LeadershipOptions
        {
            LeaseDuration = TimeSpan.Parse(lease, System.Globalization.CultureInfo.InvariantCulture),
            RenewDeadline = TimeSpan.Parse(renew, System.Globalization.CultureInfo.InvariantCulture),
            RetryPeriod = TimeSpan.Parse(retry, System.Globalization.CultureInfo.InvariantCulture),
        };

        var result = new LeadershipOptionsValidator().Validate(null, options);

        Assert.True(result.Failed);
        Assert.Contains(reason, result.FailureMessage, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Leader")]
    [InlineData("-leader")]
    [InlineData("cni dashboard")]
    [InlineData("")]
    public void A_lease_name_that_is_no_object_name_is_refused(string name)
    {
        var result = new LeadershipOptionsValidator().Validate(null, new LeadershipOptions { LeaseName = name });

        Assert.True(result.Failed);
        Assert.Contains("is not a Kubernetes object name", result.FailureMessage, StringComparison.Ordinal);
    }
}
