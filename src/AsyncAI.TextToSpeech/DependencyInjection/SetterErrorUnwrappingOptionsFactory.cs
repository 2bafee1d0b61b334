using System.Diagnostics.CodeAnalysis;
using System.Reflection;
using System.Runtime.ExceptionServices;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>
/// The default options factory, except that an option setter's own exception comes out as itself: configuration binding
/// sets properties by reflection, so a value a setter refuses (an <see cref="ArgumentOutOfRangeException"/> naming the
/// option) would otherwise surface as a <see cref="TargetInvocationException"/> that says nothing.
/// </summary>
internal sealed class SetterErrorUnwrappingOptionsFactory<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicParameterlessConstructor)] TOptions>(
    IEnumerable<IConfigureOptions<TOptions>> setups,
    IEnumerable<IPostConfigureOptions<TOptions>> postConfigures,
    IEnumerable<IValidateOptions<TOptions>> validations) : IOptionsFactory<TOptions>
    where TOptions : class
{
    private readonly OptionsFactory<TOptions> _inner = new(setups, postConfigures, validations);

    public TOptions Create(string name)
    {
        try
        {
            return _inner.Create(name);
        }
        catch (TargetInvocationException ex) when (ex.InnerException is ArgumentException argument)
        {
            ExceptionDispatchInfo.Throw(argument);
            throw; // not reached
        }
    }

    /// <summary>Uses this factory for <typeparamref name="TOptions"/> unless the app registered a factory of its own.</summary>
    public static void Register(IServiceCollection services) =>
        services.TryAdd(ServiceDescriptor.Transient<IOptionsFactory<TOptions>, SetterErrorUnwrappingOptionsFactory<TOptions>>());
}
