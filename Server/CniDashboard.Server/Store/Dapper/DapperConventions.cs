using System.Data;
using Dapper;

namespace CniDashboard.Server.Store.Dapper;

/// <summary>
/// How every repository maps rows, in one place: snake_case columns to PascalCase members, and
/// times stored as Unix milliseconds (INTEGER) read and written as <see cref="DateTimeOffset"/>.
/// Each repository's static constructor calls <see cref="Ensure"/>.
/// </summary>
public static class DapperConventions
{
    private static readonly Lazy<bool> Applied = new(() =>
    {
        DefaultTypeMap.MatchNamesWithUnderscores = true;
        SqlMapper.RemoveTypeMap(typeof(DateTimeOffset));
        SqlMapper.RemoveTypeMap(typeof(DateTimeOffset?));
        SqlMapper.AddTypeHandler(new UnixMillisecondsHandler());
        return true;
    });

    /// <summary>Applies the conventions (once per process; safe to call from any thread).</summary>
    public static void Ensure() => _ = Applied.Value;

    /// <summary>A <see cref="DateTimeOffset"/> as whole Unix milliseconds, UTC.</summary>
    private sealed class UnixMillisecondsHandler : SqlMapper.TypeHandler<DateTimeOffset>
    {
        public override void SetValue(IDbDataParameter parameter, DateTimeOffset value)
        {
            parameter.DbType = DbType.Int64;
            parameter.Value = UnixTime.ToMs(value);
        }

        public override DateTimeOffset Parse(object value) => UnixTime.FromMs(Convert.ToInt64(value, System.Globalization.CultureInfo.InvariantCulture));
    }
}
