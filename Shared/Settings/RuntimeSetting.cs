using System.Globalization;

namespace CniDashboard.Shared.Settings;

/// <summary>How a setting's value is written and edited.</summary>
public enum RuntimeSettingKind
{
    /// <summary><c>true</c> or <c>false</c>.</summary>
    Boolean,

    /// <summary>A whole number in a range.</summary>
    Integer,

    /// <summary>A duration such as <c>90m</c>, <c>24h</c> or <c>7d</c>, in a range.</summary>
    Duration,
}

/// <summary>
/// A setting an Admin changes at run time (kept in the store, every change audited), as opposed to
/// the deployment's configuration. Values travel as normalized text; <see cref="RuntimeSetting{T}"/>
/// gives them their type.
/// </summary>
public abstract record RuntimeSetting
{
    /// <summary>The stable key (stored, in URLs, in audit entries), e.g. <c>TwoPersonRule</c>.</summary>
    public required string Name { get; init; }

    /// <summary>A short label.</summary>
    public required string Title { get; init; }

    /// <summary>What it changes, in a sentence.</summary>
    public required string Description { get; init; }

    /// <summary>How it is edited.</summary>
    public abstract RuntimeSettingKind Kind { get; }

    /// <summary>The default, normalized.</summary>
    public abstract string DefaultText { get; }

    /// <summary>The accepted values, in words (e.g. <c>1 to 10</c>).</summary>
    public abstract string Range { get; }

    /// <summary>Normalizes a value typed by a person; false with a sentence saying what is accepted.</summary>
    public abstract bool TryNormalize(string? text, out string normalized, out string error);
}

/// <summary>A setting with a typed value.</summary>
/// <typeparam name="T">The value's type.</typeparam>
public abstract record RuntimeSetting<T> : RuntimeSetting where T : notnull
{
    /// <summary>The default value.</summary>
    public required T Default { get; init; }

    /// <inheritdoc />
    public override string DefaultText => Format(Default);

    /// <summary>The value's normalized text.</summary>
    public abstract string Format(T value);

    /// <summary>Reads a value; false when it is not one this setting accepts.</summary>
    public abstract bool TryParse(string? text, out T value);

    /// <summary>The stored text's value, or the default when the text is missing or no longer valid.</summary>
    public T ValueOf(string? stored) => TryParse(stored, out var value) ? value : Default;

    /// <inheritdoc />
    public override bool TryNormalize(string? text, out string normalized, out string error)
    {
        if (TryParse(text, out var value))
        {
            normalized = Format(value);
            error = "";
            return true;
        }

        normalized = "";
        error = $"{Name} must be {Range} (got '{text}').";
        return false;
    }
}

/// <summary>An on/off setting.</summary>
public sealed record BooleanSetting : RuntimeSetting<bool>
{
    /// <inheritdoc />
    public override RuntimeSettingKind Kind => RuntimeSettingKind.Boolean;

    /// <inheritdoc />
    public override string Range => "true or false";

    /// <inheritdoc />
    public override string Format(bool value) => value ? "true" : "false";

    /// <inheritdoc />
    public override bool TryParse(string? text, out bool value) => bool.TryParse(text?.Trim(), out value);
}

/// <summary>A whole-number setting with bounds.</summary>
public sealed record IntegerSetting : RuntimeSetting<int>
{
    /// <summary>Smallest value.</summary>
    public required int Min { get; init; }

    /// <summary>Largest value.</summary>
    public required int Max { get; init; }

    /// <inheritdoc />
    public override RuntimeSettingKind Kind => RuntimeSettingKind.Integer;

    /// <inheritdoc />
    public override string Range => string.Create(CultureInfo.InvariantCulture, $"a whole number from {Min} to {Max}");

    /// <inheritdoc />
    public override string Format(int value) => value.ToString(CultureInfo.InvariantCulture);

    /// <inheritdoc />
    public override bool TryParse(string? text, out int value) =>
        int.TryParse(text?.Trim(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out value) && value >= Min && value <= Max;
}

/// <summary>A duration setting with bounds, written <c>45s</c>, <c>90m</c>, <c>24h</c> or <c>7d</c>.</summary>
public sealed record DurationSetting : RuntimeSetting<TimeSpan>
{
    /// <summary>Shortest value.</summary>
    public required TimeSpan Min { get; init; }

    /// <summary>Longest value.</summary>
    public required TimeSpan Max { get; init; }

    /// <inheritdoc />
    public override RuntimeSettingKind Kind => RuntimeSettingKind.Duration;

    /// <inheritdoc />
    public override string Range => $"a duration from {FormatDuration(Min)} to {FormatDuration(Max)} (e.g. 90m, 24h, 7d)";

    /// <inheritdoc />
    public override string Format(TimeSpan value) => FormatDuration(value);

    /// <inheritdoc />
    public override bool TryParse(string? text, out TimeSpan value) => TryParseDuration(text, out value) && value >= Min && value <= Max;

    /// <summary>
    /// The shortest exact form: whole days from 2 days up, else whole hours, minutes, seconds
    /// (<c>24h</c>, <c>2d</c>, <c>90m</c>, <c>45s</c>).
    /// </summary>
    public static string FormatDuration(TimeSpan value)
    {
        if (value >= TimeSpan.FromDays(2) && value.Ticks % TimeSpan.TicksPerDay == 0) return Whole(value.TotalDays, "d");
        if (value.Ticks % TimeSpan.TicksPerHour == 0 && value > TimeSpan.Zero) return Whole(value.TotalHours, "h");
        if (value.Ticks % TimeSpan.TicksPerMinute == 0 && value > TimeSpan.Zero) return Whole(value.TotalMinutes, "m");
        return Whole(Math.Floor(value.TotalSeconds), "s");
    }

    /// <summary>Reads <c>45s</c>, <c>90m</c>, <c>24h</c>, <c>7d</c> (whole numbers), or a TimeSpan such as <c>1.00:00:00</c>.</summary>
    public static bool TryParseDuration(string? text, out TimeSpan value)
    {
        value = default;
        text = text?.Trim();
        if (string.IsNullOrEmpty(text)) return false;
        var unit = char.ToLowerInvariant(text[^1]);
        if ("smhd".Contains(unit, StringComparison.Ordinal))
        {
            // Up to 10^6 of any unit: 10^6 days is still far inside what a TimeSpan holds.
            if (!long.TryParse(text[..^1], NumberStyles.None, CultureInfo.InvariantCulture, out var amount) || amount > 1_000_000) return false;
            value = unit switch
            {
                's' => TimeSpan.FromSeconds(amount),
                'm' => TimeSpan.FromMinutes(amount),
                'h' => TimeSpan.FromHours(amount),
                _ => TimeSpan.FromDays(amount),
            };
            return true;
        }

        return TimeSpan.TryParseExact(text, "c", CultureInfo.InvariantCulture, out value) && value >= TimeSpan.Zero;
    }

    private static string Whole(double amount, string unit) => ((long)amount).ToString(CultureInfo.InvariantCulture) + unit;
}
