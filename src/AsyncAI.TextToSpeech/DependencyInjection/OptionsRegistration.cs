using System.Diagnostics.CodeAnalysis;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>What the registrations of this library share: self-validating options and the container's clock.</summary>
internal static class OptionsRegistration
{
    /// <summary>
    /// Adds options of <typeparamref name="TOptions"/>, configured by <paramref name="configure"/> when given and validated
    /// on start by <paramref name="validate"/>, which throws the option's <see cref="ArgumentException"/> (naming it).
    /// </summary>
    public static void AddSelfValidating<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicParameterlessConstructor)] TOptions>(IServiceCollection services, Action<TOptions>? configure, Action<TOptions> validate)
        where TOptions : class
    {
        var options = services.AddOptions<TOptions>();
        if (configure is not null)
        {
            options.Configure(configure);
        }

        options.Validate(
            o =>
            {
                validate(o);
                return true;
            }).ValidateOnStart();
    }

    /// <summary>The container's <see cref="TimeProvider"/> when the options kept the default system clock.</summary>
    public static TimeProvider RegisteredUnlessSet(TimeProvider configured, IServiceProvider provider) =>
        ReferenceEquals(configured, TimeProvider.System) && provider.GetService<TimeProvider>() is { } registered ? registered : configured;
}
